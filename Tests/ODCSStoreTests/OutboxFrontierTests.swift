import Foundation
import ODCSCore
@_spi(Testing) import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// An event's id is taken when its row is written, not when it commits: the event streams'
/// reader must neither send a later event before an earlier one that commits after it, nor
/// skip the earlier one (it once did: a client waiting for a compose's end waited forever).
@Suite struct OutboxFrontierTests {
    /// A compose, a frontier at the outbox's end, and a state change of that compose left
    /// uncommitted on a connection of its own: its event holds the next outbox id.
    struct Scene {
        let factory: ComposeFactory
        let outbox: OutboxStore
        let first: Compose
        var frontier: OutboxFrontier
        let holder: LockHolder

        init(client: PostgresClient, schema: String, maximumWait: Duration) async throws {
            factory = ComposeFactory(client: client)
            outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            first = try await factory.insert()
            frontier = OutboxFrontier(position: try await outbox.lastEventID(), maximumWait: maximumWait)
            holder = try await LockHolder.begin(schema: schema)
            try await holder.execute("UPDATE composes SET state = 4 WHERE id = \(first.id)")
        }

        mutating func settle() async throws -> OutboxFrontier.Settled<OutboxEvent> {
            frontier.settle(try await outbox.streamPage(after: frontier.position, limit: 100), now: .now)
        }
    }

    @Test func anEventThatCommitsAfterALaterOneIsSentFirstAndNoneIsLost() async throws {
        try await TestDatabase.withSchema { client, schema in
            var scene = try await Scene(client: client, schema: schema, maximumWait: .seconds(3600))
            let second = try await scene.factory.insert()
            let page = try await scene.outbox.streamPage(after: scene.frontier.position, limit: 100)
            #expect(page.events.map(\.compose.id) == [second.id])
            var settled = scene.frontier.settle(page, now: .now)
            #expect(settled.events.isEmpty, "the later event waits for the earlier id")
            #expect(scene.frontier.holding == 1)

            try await scene.holder.commit()
            settled = try await scene.settle()
            #expect(settled.events.map(\.compose.id) == [scene.first.id, second.id])
            #expect(settled.events.map(\.compose.state) == [.failed, .wait])
            #expect(scene.frontier.holding == 0 && scene.frontier.position == settled.events.last?.id)
        }
    }

    @Test func aRolledBackEventIsSkippedOnceEveryTransactionThatMightHoldItHasEnded() async throws {
        try await TestDatabase.withSchema { client, schema in
            // An hour: only the snapshot horizon can settle the hole within this test.
            var scene = try await Scene(client: client, schema: schema, maximumWait: .seconds(3600))
            let second = try await scene.factory.insert()
            var settled = try await scene.settle()
            #expect(settled.events.isEmpty)

            try await scene.holder.rollback()
            // The horizon passes once the transactions running at the first read (other tests'
            // too: xids are the cluster's) have ended.
            while settled.events.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
                settled = try await scene.settle()
            }
            #expect(settled.events.map(\.compose.id) == [second.id])
            #expect(settled.skippedAfterWaiting.isEmpty)
            #expect(scene.frontier.holding == 0)
        }
    }

    /// The writer of the missing id holds the newest xid, and a transaction with an older xid
    /// commits a later event: the snapshot's xmax (the newest completed xid plus one) is then
    /// not above the writer's xid, and a later snapshot's xmin (the writer's own xid) reaches
    /// it while the writer still runs. The reader once took that for a rollback and skipped
    /// the event (the cluster in a box lost two committed events that way).
    @Test func aHoleWhoseWriterHoldsTheNewestXidIsHeldUntilItCommits() async throws {
        try await TestDatabase.withSchema { client, schema in
            let other = try await ComposeFactory(client: client).insert()
            // The older xid: taken first, its event written after the holder's.
            let older = try await LockHolder.begin(schema: schema)
            try await older.execute("SELECT pg_current_xact_id()")
            var scene = try await Scene(client: client, schema: schema, maximumWait: .seconds(3600))
            try await older.execute("UPDATE composes SET state = 4 WHERE id = \(other.id)")
            try await older.commit()

            var settled = try await scene.settle()
            #expect(settled.events.isEmpty, "the later event waits for the earlier id")
            // Each later read, with the holder still running, still holds it.
            for _ in 0..<3 {
                settled = try await scene.settle()
                #expect(settled.events.isEmpty && settled.skippedAfterWaiting.isEmpty)
                #expect(scene.frontier.holding == 1)
            }

            try await scene.holder.commit()
            settled = try await scene.settle()
            #expect(settled.events.map(\.compose.id) == [scene.first.id, other.id])
            #expect(scene.frontier.holding == 0)
        }
    }

    @Test func aHoleOpenLongerThanTheWaitIsSkippedAndSaidSo() async throws {
        try await TestDatabase.withSchema { client, schema in
            var scene = try await Scene(client: client, schema: schema, maximumWait: .zero)
            let second = try await scene.factory.insert()
            let page = try await scene.outbox.streamPage(after: scene.frontier.position, limit: 100)
            let settled = scene.frontier.settle(page, now: .now)
            #expect(settled.events.map(\.compose.id) == [second.id])
            #expect(settled.skippedAfterWaiting == [page.events[0].id - 1])
            try await scene.holder.rollback()
        }
    }
}
