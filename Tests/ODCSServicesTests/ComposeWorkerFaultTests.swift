import Foundation
import ODCSCore
import ODCSGenerator
import ODCSServices
import ODCSStore
import ODCSTesting
import PostgresNIO
import ServiceLifecycle
import Testing

/// Passing database faults never fail a compose (issue 19): a deadlock and connections
/// killed with `pg_terminate_backend` in the claim, the reuse decision and the finish are
/// retried, and the compose ends done. Each test makes the worker wait on a lock the test
/// holds (`LockHolder`), so the fault lands exactly where it should; no test sleeps.
extension ComposeWorkerTests {
    /// Builds no other test asks for: a reuse key's advisory lock is shared by every schema
    /// of the database, and these tests hold it on purpose.
    func uniqueBuilds() -> String { "fault-\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())-1-1" }

    /// An identical compose generating under another node's lease: the candidate the
    /// worker's compose will follow.
    func generatingCandidate(_ factory: ComposeFactory, builds: String) async throws -> ClaimedCompose {
        try await factory.insert(builds: builds)
        let claim = try #require(try await factory.queue.claim(node: "other", limit: 1, deadlineSeconds: 60).first)
        #expect(try await factory.queue.decideReuse(claim.lease, resolved: claim.compose) { _ in true } == .generate)
        return claim
    }

    func waitForFollower(_ factory: ComposeFactory, _ id: Int64, of candidate: Int64) async throws {
        while try await factory.compose(id).reusedID != candidate { try await Task.sleep(for: .milliseconds(20)) }
    }

    func instantGenerator() -> ScriptedGenerator {
        let (_, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
        return ScriptedGenerator(events: continuation) { _ in GenerationResult() }
    }

    @Test(.timeLimit(.minutes(3))) func deadlockInTheReuseDecisionIsRetried() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let builds = uniqueBuilds()
            let candidate = try await generatingCandidate(factory, builds: builds)
            let holder = try await LockHolder.begin(schema: schema)
            try await holder.execute("SELECT id FROM composes WHERE id = \(candidate.compose.id) FOR NO KEY UPDATE")
            let compose = try await factory.insert(builds: builds)
            let keyText = try #require(ReuseKey(compose)).canonicalText
            let worker = makeWorker(factory, target, generator: instantGenerator()) { $0.leaseTimeout = .seconds(60) }
            try await running(worker) {
                // The worker's reuse transaction holds the key's lock and waits for the candidate.
                _ = try await holder.waiters()
                // Wanting the key's lock closes a cycle. PostgreSQL aborts the worker's
                // transaction (it waited first, so its deadlock check runs first): only then can
                // this statement return. The worker retries (often on the same connection, which
                // survives a deadlock), and waits for this transaction again.
                try await holder.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(keyText), 3525))")
                _ = try await holder.waiters()
                try await holder.commit()
                try await waitForFollower(factory, compose.id, of: candidate.compose.id)
            }
            #expect(try await factory.queue.finishDone(candidate.lease, pungiComposeID: "p"))
            let done = try await factory.compose(compose.id)
            #expect(done.state == .done)
            #expect(try await factory.attempt(compose.id) == 1)
        }
    }

    @Test(.timeLimit(.minutes(3))) func connectionKilledMidReuseIsRetried() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let builds = uniqueBuilds()
            let candidate = try await generatingCandidate(factory, builds: builds)
            let holder = try await LockHolder.begin(schema: schema)
            try await holder.execute("SELECT id FROM composes WHERE id = \(candidate.compose.id) FOR NO KEY UPDATE")
            let compose = try await factory.insert(builds: builds)
            let worker = makeWorker(factory, target, generator: instantGenerator()) { $0.leaseTimeout = .seconds(60) }
            try await running(worker) {
                let killed = try await holder.waiters()
                try await holder.terminate(killed)
                _ = try await holder.waiters(excluding: killed)
                try await holder.commit()
                try await waitForFollower(factory, compose.id, of: candidate.compose.id)
            }
            #expect(try await factory.queue.finishDone(candidate.lease, pungiComposeID: "p"))
            #expect(try await factory.compose(compose.id).state == .done)
            #expect(try await factory.attempt(compose.id) == 1)
        }
    }

    @Test(.timeLimit(.minutes(3))) func connectionKilledMidClaimIsRetried() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert(builds: uniqueBuilds())
            let holder = try await LockHolder.begin(schema: schema)
            // Every claim waits: its FOR UPDATE needs a lock this mode excludes.
            try await holder.execute("LOCK TABLE composes IN EXCLUSIVE MODE")
            let worker = makeWorker(factory, target, generator: instantGenerator()) { $0.leaseTimeout = .seconds(60) }
            let done = try await running(worker) {
                let killed = try await holder.waiters(matching: "FOR UPDATE SKIP LOCKED")
                try await holder.terminate(killed)
                _ = try await holder.waiters(matching: "FOR UPDATE SKIP LOCKED", excluding: killed)
                try await holder.commit()
                return try await waitFor(factory, compose.id, [.done, .failed])
            }
            #expect(done.state == .done)
            #expect(try await factory.attempt(compose.id) == 1)
        }
    }

    @Test(.timeLimit(.minutes(3))) func connectionKilledMidFinishIsRetried() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let (release, releaser) = AsyncStream.makeStream(of: Void.self)
            let generator = ScriptedGenerator(events: continuation) { context in
                for await _ in release { break }
                try "tree".write(toFile: context.staging.appending("TREE").string, atomically: false, encoding: .utf8)
                return GenerationResult()
            }
            let compose = try await factory.insert(builds: uniqueBuilds())
            // A heartbeat every 20 s: none runs during the test, only the finish waits.
            let worker = makeWorker(factory, target, generator: generator) { $0.leaseTimeout = .seconds(60) }
            let done = try await running(worker) {
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .started(compose.id))
                let holder = try await LockHolder.begin(schema: schema)
                try await holder.execute("SELECT id FROM composes WHERE id = \(compose.id) FOR NO KEY UPDATE")
                releaser.yield()
                // ComposeFinish, by a text only it has.
                let finish = "pungi_config_dump = coalesce"
                let killed = try await holder.waiters(matching: finish)
                try await holder.terminate(killed)
                _ = try await holder.waiters(matching: finish, excluding: killed)
                try await holder.commit()
                return try await waitFor(factory, compose.id, [.done, .failed])
            }
            #expect(done.state == .done)
            #expect(try await factory.attempt(compose.id) == 1)
            #expect(target.exists("odcs-\(compose.id)/TREE"))
        }
    }

    /// A draining node hands its compose back with a NOTIFY: another node whose poll would
    /// come only in an hour claims it at once.
    @Test(.timeLimit(.minutes(3))) func handBackWakesAnotherWorkerAtOnce() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let (events, continuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let slow = ScriptedGenerator(events: continuation) { _ in
                try await Task.sleep(for: .seconds(3600))
                return GenerationResult()
            }
            let (otherEvents, otherContinuation) = AsyncStream.makeStream(of: ScriptedGenerator.Event.self)
            let other = ScriptedGenerator(events: otherContinuation) { _ in GenerationResult() }
            let compose = try await factory.insert(builds: uniqueBuilds())

            let draining = makeWorker(factory, target, generator: slow) { $0.drainTimeout = .milliseconds(100) }
            var configuration = ComposeWorker.Configuration(
                nodeID: "idle-node", hostName: "idle-host", targetDirectories: target.directories)
            configuration.pollInterval = .seconds(3600)
            configuration.leaseTimeout = .seconds(60)
            let idle = ComposeWorker(
                configuration: configuration, queue: factory.queue, generators: GeneratorSet(all: other),
                connector: try TestDatabase.connector(schema: schema), metrics: .shared, logger: testLogger)

            let listenersBefore = try await listeners(client)
            let drainingGroup = ServiceGroup(configuration: .init(services: [draining], logger: testLogger))
            let drainingRun = Task { try await drainingGroup.run() }
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next() == .started(compose.id))
            try await running(idle) {
                // The idle node listens (its first claim found nothing to take).
                while try await listeners(client).subtracting(listenersBefore).isEmpty {
                    try await Task.sleep(for: .milliseconds(20))
                }
                await drainingGroup.triggerGracefulShutdown()
                try await drainingRun.value
                var otherIterator = otherEvents.makeAsyncIterator()
                #expect(await otherIterator.next() == .started(compose.id))
                _ = try await waitFor(factory, compose.id, [.done, .failed])
            }
            let done = try await factory.compose(compose.id)
            #expect(done.state == .done)
            // The hand-back did not count as an attempt.
            #expect(try await factory.attempt(compose.id) == 1)
        }
    }

    /// Backends that LISTEN on the wait channel.
    func listeners(_ client: PostgresClient) async throws -> Set<Int32> {
        var pids: Set<Int32> = []
        let rows = try await client.query(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE \("LISTEN%" + NotifyChannel.wait.rawValue + "%")", logger: testLogger)
        for try await pid in rows.decode(Int32.self) { pids.insert(pid) }
        return pids
    }
}
