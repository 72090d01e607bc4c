import ODCSStore
import Testing

/// `ReadCoalescer`: reads of one key that arrive while a run is going share the next run,
/// never the one going (which began before they arrived); other keys run at once; a run's
/// failure fails exactly the reads it answers.
@Suite struct ReadCoalescerTests {
    struct Failed: Error, Equatable {}

    /// The reads' runs, each held until the test ends it with a result.
    actor Runs {
        var held: [String: CheckedContinuation<Int, any Error>] = [:]

        func read(_ key: String) async throws -> Int {
            try await withCheckedThrowingContinuation { held[key] = $0 }
        }

        func isHolding(_ key: String) -> Bool { held[key] != nil }

        func end(_ key: String, with result: Result<Int, any Error>) {
            held.removeValue(forKey: key)?.resume(with: result)
        }

        /// Waits until a run of `key` is held (a hang guard, not a timing assertion).
        func waitForRun(_ key: String) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while held[key] == nil {
                guard ContinuousClock.now < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func readsArrivingDuringARunShareTheNextRunAndNeverTheGoingOne() async throws {
        let runs = Runs()
        let coalescer = ReadCoalescer<String, Int> { key in try await runs.read(key) }

        try await withThrowingTaskGroup(of: (String, Int).self) { group in
            group.addTask { ("first", try await coalescer.value("page")) }
            try await runs.waitForRun("page")
            // Three more arrive while the first run is going: they wait for the next one.
            for name in ["second", "third", "fourth"] { group.addTask { (name, try await coalescer.value("page")) } }
            try await waitUntil { coalescer.waitingReads == 3 }
            // Another key does not wait for this one.
            group.addTask { ("other", try await coalescer.value("other page")) }
            try await runs.waitForRun("other page")
            await runs.end("other page", with: .success(7))
            #expect(try await group.next()! == ("other", 7))

            await runs.end("page", with: .success(1))
            #expect(try await group.next()! == ("first", 1))
            // The second run, begun after the three arrived, answers all three.
            try await runs.waitForRun("page")
            #expect(coalescer.waitingReads == 0)
            await runs.end("page", with: .success(2))
            var answers: [String: Int] = [:]
            for try await (name, value) in group { answers[name] = value }
            #expect(answers == ["second": 2, "third": 2, "fourth": 2])
        }
        #expect(coalescer.runCount == 3)

        // With nothing going, a read runs at once, on its own.
        async let lone = coalescer.value("page")
        try await runs.waitForRun("page")
        await runs.end("page", with: .success(3))
        #expect(try await lone == 3)
        #expect(coalescer.runCount == 4)
    }

    @Test(.timeLimit(.minutes(1))) func aFailedRunFailsTheReadsItAnswersAndNoOthers() async throws {
        let runs = Runs()
        let coalescer = ReadCoalescer<String, Int> { key in try await runs.read(key) }

        try await withThrowingTaskGroup(of: Result<Int, Failed>.self) { group in
            @Sendable func read() async throws -> Result<Int, Failed> {
                do { return .success(try await coalescer.value("page")) } catch let error as Failed { return .failure(error) }
            }
            group.addTask { try await read() }
            try await runs.waitForRun("page")
            group.addTask { try await read() }
            group.addTask { try await read() }
            try await waitUntil { coalescer.waitingReads == 2 }
            await runs.end("page", with: .success(1))
            #expect(try await group.next()! == .success(1))
            try await runs.waitForRun("page")
            await runs.end("page", with: .failure(Failed()))
            #expect(try await group.next()! == .failure(Failed()))
            #expect(try await group.next()! == .failure(Failed()))
        }
        // The key is free again: the next read runs and succeeds.
        async let again = coalescer.value("page")
        try await runs.waitForRun("page")
        await runs.end("page", with: .success(5))
        #expect(try await again == 5)
    }

    /// Polls a condition that another task makes true (a hang guard, not a timing assertion).
    func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
