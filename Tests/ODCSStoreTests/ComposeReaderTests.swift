import ODCSCore
import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// `ComposeReader`: concurrent reads of single composes coalesce into one statement, and each
/// gets its own compose (or nil) exactly as a direct read would.
@Suite struct ComposeReaderTests {
    @Test func readsQueuedBehindABusySlotGoTogetherInOneStatement() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            var ids: [Int64] = []
            for _ in 0..<5 { ids.append(try await factory.insert().id) }
            let missing = ids.max()! + 1000
            let reader = ComposeReader(client: client, logger: TestDatabase.logger, maxInFlight: 1)
            // Requests: every compose twice, and one that does not exist.
            let requested = ids + ids + [missing]

            try await client.withConnection { locker in
                // Holds the table so that the first read's statement waits: the others must queue.
                try await locker.query("BEGIN", logger: TestDatabase.logger)
                try await locker.query("LOCK TABLE composes IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                try await withThrowingTaskGroup(of: (Int64, Compose?).self) { group in
                    group.addTask { (requested[0], try await reader.compose(id: requested[0])) }
                    try await waitUntil { reader.statementCount == 1 }
                    for id in requested.dropFirst() { group.addTask { (id, try await reader.compose(id: id)) } }
                    try await waitUntil { reader.queuedReads == requested.count - 1 }
                    try await locker.query("COMMIT", logger: TestDatabase.logger)

                    var answers = 0
                    for try await (id, compose) in group {
                        answers += 1
                        if id == missing { #expect(compose == nil) } else { #expect(compose?.id == id) }
                    }
                    #expect(answers == requested.count)
                }
            }
            // The first read's statement, then one for the ten that queued behind it.
            #expect(reader.statementCount == 2)
            #expect(reader.queuedReads == 0)

            // A lone read finds a free slot and runs at once.
            #expect(try await reader.compose(id: ids[2])?.id == ids[2])
            #expect(reader.statementCount == 3)
        }
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
