import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSServices
import ODCSStore
import ODCSTesting
import ODCSVolume
import ServiceLifecycle
import Synchronization
import Testing

/// A generator the test drives: reports each start, then runs the test's script.
struct ScriptedGenerator: ComposeGenerator {
    enum Event: Sendable, Equatable {
        case started(Int64)
        case cancelled(Int64)
    }

    let events: AsyncStream<Event>.Continuation
    let script: @Sendable (GenerationContext) async throws -> GenerationResult

    func generate(_ context: GenerationContext) async throws -> GenerationResult {
        events.yield(.started(context.compose.id))
        do {
            return try await script(context)
        } catch is CancellationError {
            events.yield(.cancelled(context.compose.id))
            throw CancellationError()
        }
    }
}

/// The time limits are hang guards, not timings: generous, because the whole suite shares the
/// machine's cores with these tests (one full run took 69 s for tests that need 2 s alone).
@Suite struct ComposeWorkerTests {
    func makeWorker(
        _ factory: ComposeFactory, _ target: TemporaryTargetDir, generator: any ComposeGenerator,
        configure: (inout ComposeWorker.Configuration) -> Void = { _ in }
    ) -> ComposeWorker {
        var configuration = ComposeWorker.Configuration(nodeID: "test-node", hostName: "test-host", targetDirectories: target.directories)
        configuration.pollInterval = .milliseconds(50)
        configuration.leaseTimeout = .seconds(3)
        configure(&configuration)
        return ComposeWorker(
            configuration: configuration, queue: factory.queue, generators: GeneratorSet(all: generator), connector: nil,
            metrics: .shared, logger: testLogger)
    }

    /// Waits (polling the database; there is no other signal for a commit) until the
    /// compose reaches one of `states`.
    func waitFor(_ factory: ComposeFactory, _ id: Int64, _ states: Set<ComposeState>) async throws -> Compose {
        while true {
            let compose = try await factory.compose(id)
            if states.contains(compose.state) { return compose }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs the worker in a service group for the body, then shuts it down gracefully.
    func running<R: Sendable>(_ worker: ComposeWorker, _ body: @Sendable () async throws -> R) async throws -> R {
        let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
        return try await withThrowingTaskGroup(of: R?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let result = try await body()
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return result
        }
    }

    @Test(.timeLimit(.minutes(3))) func generatesAndPublishesTheCompose() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let generator = ScriptedGenerator(events: continuation) { context in
                try "tree".write(toFile: context.staging.appending("TREE").string, atomically: false, encoding: .utf8)
                return GenerationResult(pungiComposeID: "\(context.name)-1-20261127.t.0")
            }
            let compose = try await factory.insert()
            let done = try await running(makeWorker(factory, target, generator: generator)) {
                try await waitFor(factory, compose.id, [.done, .failed])
            }
            #expect(done.state == .done)
            #expect(done.pungiComposeID == "odcs-\(compose.id)-1-20261127.t.0")
            #expect(target.exists("odcs-\(compose.id)/TREE"))
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: target.path + "/.staging")) ?? []).isEmpty)
            continuation.finish()
            var seen: [ScriptedGenerator.Event] = []
            for await event in events { seen.append(event) }
            #expect(seen == [.started(compose.id)])
        }
    }

    /// The generator's own code, before and after its awaits, runs on `GenerationExecutor`'s
    /// lowered threads, not on the threads that serve the node's requests.
    @Test(.timeLimit(.minutes(3))) func theGeneratorRunsOnTheGenerationExecutorBelowTheNode() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let seen = Mutex<[Int32]>([])
            let generator = ScriptedGenerator(events: continuation) { context in
                seen.withLock { $0.append(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)) }
                try await Task.sleep(for: .milliseconds(1))
                seen.withLock { $0.append(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)) }
                return GenerationResult(pungiComposeID: "\(context.name)-1-20261207.t.0")
            }
            let compose = try await factory.insert()
            let done = try await running(makeWorker(factory, target, generator: generator)) {
                try await waitFor(factory, compose.id, [.done, .failed])
            }
            continuation.finish()
            #expect(done.state == .done)
            let own = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            #expect(seen.withLock { $0 } == [max(own, GenerationPriority.nice), max(own, GenerationPriority.nice)])
        }
    }

    @Test(.timeLimit(.minutes(3))) func failureKeepsTheLogsAndSaysWhy() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (_, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let generator = ScriptedGenerator(events: continuation) { context in
                try "step 1\n".write(toFile: context.staging.appending("step.log").string, atomically: false, encoding: .utf8)
                let tree = context.staging.appending("compose/Temporary/x86_64/os/Packages/f")
                try FileManager.default.createDirectory(atPath: tree.string, withIntermediateDirectories: true)
                try "rpm".write(toFile: tree.appending("foo.rpm").string, atomically: false, encoding: .utf8)
                throw GeneratorError("Cannot read \(target.path)/odcs-\(context.compose.id)/x")
            }
            let compose = try await factory.insert()
            let failed = try await running(makeWorker(factory, target, generator: generator)) {
                try await waitFor(factory, compose.id, [.done, .failed])
            }
            #expect(failed.state == .failed)
            // Upstream's prefix, and the default target dir shown as its URL.
            #expect(
                failed.stateReason == "Error while generating compose: Cannot read http://odcs.example/composes/odcs-\(compose.id)/x")
            #expect(target.exists("odcs-\(compose.id)/step.log"))
            #expect(target.exists("odcs-\(compose.id)/odcs-error.log"))
            // The logs stay for the TTL; what the failed generation put in its trees is not served.
            #expect(!target.exists("odcs-\(compose.id)/compose"))
        }
    }

    /// A value stored before the field rules existed (or edited in the database), or one that
    /// `resolve` took from another server, fails the compose before anything is written.
    @Test(.timeLimit(.minutes(3))) func refusesAStoredOrResolvedValueThatWouldLeaveTheCompose() async throws {
        struct Resolving: ComposeGenerator {
            let events: AsyncStream<ScriptedGenerator.Event>.Continuation
            func resolve(_ compose: Compose, logger: Logger) async throws -> Compose {
                var resolved = compose
                if compose.builds == "resolves-badly" { resolved.arches = "x86_64 ../../../odcs-1/compose" }
                return resolved
            }
            func generate(_ context: GenerationContext) async throws -> GenerationResult {
                events.yield(.started(context.compose.id))
                return GenerationResult()
            }
        }
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let stored = try await factory.insert { $0.arches = "x86_64 ../../../../odcs-1/compose/Temporary/x86_64" }
            let storedLabel = try await factory.insert(builds: "other-1-1") { $0.label = "../escape" }
            let resolved = try await factory.insert(builds: "resolves-badly")
            let failed = try await running(makeWorker(factory, target, generator: Resolving(events: continuation))) {
                [
                    try await waitFor(factory, stored.id, [.done, .failed]),
                    try await waitFor(factory, storedLabel.id, [.done, .failed]),
                    try await waitFor(factory, resolved.id, [.done, .failed]),
                ]
            }
            for compose in failed {
                #expect(compose.state == .failed)
                #expect(
                    compose.stateReason?.hasPrefix("Error while generating compose: The compose has a value this node refuses to use: ")
                        == true)
            }
            #expect(failed[0].stateReason?.contains(#"arches: "../../../../odcs-1/compose/Temporary/x86_64""#) == true)
            #expect(failed[1].stateReason?.contains(#"label: "../escape""#) == true)
            #expect(failed[2].stateReason?.contains(#"arches: "../../../odcs-1/compose""#) == true)
            continuation.finish()
            var started: [ScriptedGenerator.Event] = []
            for await event in events { started.append(event) }
            #expect(started.isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).filter { !$0.hasPrefix(".") }.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(3))) func timeoutFailsWithUpstreamsText() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let generator = ScriptedGenerator(events: continuation) { _ in
                try await Task.sleep(for: .seconds(3600))
                return GenerationResult()
            }
            let compose = try await factory.insert()
            let worker = makeWorker(factory, target, generator: generator) { $0.generationTimeout = .seconds(1) }
            let failed = try await running(worker) { try await waitFor(factory, compose.id, [.done, .failed]) }
            #expect(
                failed.stateReason
                    == "Error while generating compose: Compose has taken more time than allowed by configuration (1 seconds)")
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next() == .started(compose.id))
            #expect(await iterator.next() == .cancelled(compose.id))
        }
    }

    @Test(.timeLimit(.minutes(3))) func lostLeaseStopsTheGenerationAndPublishesNothing() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let generator = ScriptedGenerator(events: continuation) { context in
                try "partial".write(toFile: context.staging.appending("PARTIAL").string, atomically: false, encoding: .utf8)
                try await Task.sleep(for: .seconds(3600))
                return GenerationResult()
            }
            let compose = try await factory.insert()
            try await running(makeWorker(factory, target, generator: generator)) {
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .started(compose.id))
                // Another node takes the compose over (as after a rescue and a new claim).
                try await factory.execute(
                    "UPDATE composes SET lease_token = gen_random_uuid(), leased_by = 'thief' WHERE id = \(compose.id)")
                // The next heartbeat (every second) finds the lease gone and cancels the generation.
                #expect(await iterator.next() == .cancelled(compose.id))
            }
            let after = try await factory.compose(compose.id)
            #expect(after.state == .generating)
            #expect(!target.exists("odcs-\(compose.id)"))
        }
    }

    @Test(.timeLimit(.minutes(3))) func drainHandsUnfinishedComposesBack() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let generator = ScriptedGenerator(events: continuation) { _ in
                try await Task.sleep(for: .seconds(3600))
                return GenerationResult()
            }
            let compose = try await factory.insert()
            let worker = makeWorker(factory, target, generator: generator) { $0.drainTimeout = .milliseconds(200) }
            try await running(worker) {
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .started(compose.id))
            }
            let back = try await factory.compose(compose.id)
            #expect(back.state == .wait)
            #expect(try await factory.attempt(compose.id) == 0)
            #expect(!target.exists("odcs-\(compose.id)"))
        }
    }

    func heartbeat(_ factory: ComposeFactory, _ id: Int64) async throws -> Date? {
        let rows = try await factory.client.query("SELECT heartbeat_at FROM composes WHERE id = \(id)", logger: testLogger)
        for try await value in rows.decode(Date?.self) { return value }
        return nil
    }

    @Test(.timeLimit(.minutes(3))) func drainLetsRunningComposesFinish() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let (release, releaser) = AsyncStream.makeStream(of: Void.self)
            let generator = ScriptedGenerator(events: continuation) { _ in
                for await _ in release { break }
                return GenerationResult()
            }
            let compose = try await factory.insert()
            let worker = makeWorker(factory, target, generator: generator) { $0.drainTimeout = .seconds(60) }
            let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .started(compose.id))
                let before = try await heartbeat(factory, compose.id)
                await group.triggerGracefulShutdown()
                // A second compose submitted during the drain is not claimed.
                let late = try await factory.insert(builds: "late")
                // The lease is still heartbeated while the compose drains (else another node
                // would rescue it after lease_timeout and generate it again).
                while try await heartbeat(factory, compose.id) == before { try await Task.sleep(for: .milliseconds(50)) }
                releaser.yield()
                try await tasks.waitForAll()
                #expect(try await factory.compose(late.id).state == .wait)
            }
            #expect(try await factory.compose(compose.id).state == .done)
        }
    }

    @Test(.timeLimit(.minutes(3))) func apiOnlyNodeClaimsNothing() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (_, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let generator = ScriptedGenerator(events: continuation) { _ in GenerationResult() }
            let compose = try await factory.insert()
            let worker = makeWorker(factory, target, generator: generator) { $0.slots = 0 }
            // The worker returns at once when told to stop; meanwhile it never claimed.
            try await running(worker) {}
            #expect(try await factory.compose(compose.id).state == .wait)
        }
    }

    @Test(.timeLimit(.minutes(3))) func missingTargetDirFailsWithUpstreamsText() async throws {
        let target = try TemporaryTargetDir()
        target.remove()
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let (_, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let generator = ScriptedGenerator(events: continuation) { _ in GenerationResult() }
            let compose = try await factory.insert()
            let failed = try await running(makeWorker(factory, target, generator: generator)) {
                try await waitFor(factory, compose.id, [.done, .failed])
            }
            #expect(
                failed.stateReason
                    == "Error while generating compose: Compose target dir doesn't exist or not a directory: http://odcs.example/composes on backend test-host"
            )
        }
    }
}
