import Foundation
import ODCSCore
@_spi(Testing) import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// Statements that lock several composes lock them in id order (design §11), so two of them
/// wait for each other in a line, never in a cycle. Each test arranges the waits that made a
/// cycle before (issue 19: a heartbeat and a reuse decision under bursts of identical
/// requests) and waits on `pg_blocking_pids`, never on time.
@Suite(.timeLimit(.minutes(2))) struct LockOrderTests {
    /// Builds no other test asks for: a reuse key's advisory lock is shared by every schema.
    static func uniqueBuilds() -> String { "order-\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())-1-1" }

    /// The heartbeat holds the older compose and waits for the newer one; the reuse decision
    /// of the newer one must then wait for the older one *without* holding its own row (it
    /// locks in id order), so the heartbeat goes through and then the decision does.
    @Test func heartbeatAndReuseDecisionWaitInLineNotInACycle() async throws {
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let builds = Self.uniqueBuilds()
            let older = try await factory.insert(builds: builds)
            let olderClaim = try #require(try await factory.queue.claim(node: "n", limit: 1, deadlineSeconds: 60).first)
            #expect(try await factory.queue.decideReuse(olderClaim.lease, resolved: olderClaim.compose) { _ in true } == .generate)
            let newer = try await factory.insert(builds: builds)
            let newerClaim = try #require(try await factory.queue.claim(node: "n", limit: 1, deadlineSeconds: 60).first)
            #expect(newerClaim.compose.id == newer.id)

            let holder = try await LockHolder.begin(schema: schema)
            try await holder.execute("SELECT id FROM composes WHERE id = \(newer.id) FOR NO KEY UPDATE")
            async let held = factory.queue.heartbeat([newerClaim.lease, olderClaim.lease])
            // The heartbeat has locked the older row and waits for the newer one.
            let heartbeat = try #require(try await holder.waiters().first)
            async let decision = factory.queue.decideReuse(newerClaim.lease, resolved: newerClaim.compose) { _ in true }
            // The decision waits for the heartbeat (the older row), holding nothing it needs.
            _ = try await holder.waiters(on: heartbeat)
            try await holder.commit()
            #expect(try await held == Set([older.id, newer.id]))
            #expect(try await decision == .following(reusedID: older.id))
        }
    }

    /// A finish locks its compose and the followers, a PATCH the compose, its followers and
    /// the one it reuses: both in id order, so a PATCH of a follower never deadlocks with the
    /// finish of the compose it follows.
    @Test func finishAndExtendWaitInLine() async throws {
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let builds = Self.uniqueBuilds()
            let first = try await factory.insert(builds: builds)
            let second = try await factory.insert(builds: builds)
            let claims = try await factory.queue.claim(node: "n", limit: 2, deadlineSeconds: 60)
            #expect(try await factory.queue.decideReuse(claims[0].lease, resolved: claims[0].compose) { _ in true } == .generate)
            #expect(
                try await factory.queue.decideReuse(claims[1].lease, resolved: claims[1].compose) { _ in true }
                    == .following(reusedID: first.id))

            let holder = try await LockHolder.begin(schema: schema)
            try await holder.execute("SELECT id FROM composes WHERE id = \(second.id) FOR NO KEY UPDATE")
            async let finished = factory.queue.finishDone(claims[0].lease, pungiComposeID: "p")
            // The finish holds the compose and waits for its follower.
            let finish = try #require(try await holder.waiters().first)
            async let extended = factory.store.extendExpiry(id: second.id, secondsToLive: 7200)
            // The PATCH of the follower waits for the finish on the compose it reuses.
            _ = try await holder.waiters(on: finish)
            try await holder.commit()
            #expect(try await finished)
            #expect((try await extended).state == .done)
            #expect(try await factory.compose(first.id).timeToExpire.timeIntervalSinceNow > 7000)
        }
    }

    /// The duty's lease: PostgreSQL closes a lock connection that stays silent (a paused
    /// leader), and another session takes the duty lock.
    @Test func silentLockConnectionLosesItsDutyLock() async throws {
        try await TestDatabase.withSchema { _, schema in
            let connector = try TestDatabase.connector(schema: schema)
            let key = Int32.random(in: 10_000...1_000_000)
            let lock = AdvisoryLock.testing(key: key)
            try await connector.withSession(logger: TestDatabase.logger) { paused in
                #expect(try await LeaderStore.tryLock(lock, on: paused))
                try await connector.withSession(logger: TestDatabase.logger) { follower in
                    #expect(try await !LeaderStore.tryLock(lock, on: follower))
                    #expect(try await LeaderStore.limitIdleSession(milliseconds: 300, on: paused))
                    // No statement on the holder's session from here on: the server ends it.
                    while try await !LeaderStore.tryLock(lock, on: follower) {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
            }
        }
    }
}
