import Foundation
import ODCSCore
@_spi(Testing) import ODCSStore
import ODCSTesting
import Testing

/// An event's id is taken when its row is written, not when it commits: the event streams'
/// reader must neither send a later event before an earlier one that commits after it, nor
/// skip the earlier one (it once did: a client waiting for a compose's end waited forever).
@Suite struct OutboxFrontierTests {
    /// A state change of `compose` left uncommitted on a connection of its own: its event
    /// holds the next outbox id.
    static func uncommittedChange(of compose: Compose, schema: String) async throws -> LockHolder {
        let holder = try await LockHolder.begin(schema: schema)
        try await holder.execute("UPDATE composes SET state = 4 WHERE id = \(compose.id)")
        return holder
    }

    @Test func anEventThatCommitsAfterALaterOneIsSentFirstAndNoneIsLost() async throws {
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            let first = try await factory.insert()
            var frontier = OutboxFrontier(position: try await outbox.lastEventID(), maximumWait: .seconds(3600))
            let holder = try await Self.uncommittedChange(of: first, schema: schema)
            let second = try await factory.insert()

            var page = try await outbox.streamPage(after: frontier.position, limit: 100)
            #expect(page.events.map(\.compose.id) == [second.id])
            var settled = frontier.settle(page, now: .now)
            #expect(settled.events.isEmpty, "the later event waits for the earlier id")
            #expect(frontier.holding == 1)

            try await holder.commit()
            page = try await outbox.streamPage(after: frontier.position, limit: 100)
            settled = frontier.settle(page, now: .now)
            #expect(settled.events.map(\.compose.id) == [first.id, second.id])
            #expect(settled.events.map(\.compose.state) == [.failed, .wait])
            #expect(frontier.holding == 0 && frontier.position == settled.events.last?.id)
        }
    }

    @Test func aRolledBackEventIsSkippedOnceEveryTransactionThatMightHoldItHasEnded() async throws {
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            let first = try await factory.insert()
            // An hour: only the snapshot horizon can settle the hole within this test.
            var frontier = OutboxFrontier(position: try await outbox.lastEventID(), maximumWait: .seconds(3600))
            let holder = try await Self.uncommittedChange(of: first, schema: schema)
            let second = try await factory.insert()
            var settled = frontier.settle(try await outbox.streamPage(after: frontier.position, limit: 100), now: .now)
            #expect(settled.events.isEmpty)

            try await holder.rollback()
            // The horizon passes once the transactions running at the first read (other tests'
            // too: xids are the cluster's) have ended.
            while settled.events.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
                settled = frontier.settle(try await outbox.streamPage(after: frontier.position, limit: 100), now: .now)
            }
            #expect(settled.events.map(\.compose.id) == [second.id])
            #expect(settled.skippedAfterWaiting.isEmpty)
            #expect(frontier.holding == 0)
        }
    }

    @Test func aHoleOpenLongerThanTheWaitIsSkippedAndSaidSo() async throws {
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            let first = try await factory.insert()
            var frontier = OutboxFrontier(position: try await outbox.lastEventID(), maximumWait: .zero)
            let holder = try await Self.uncommittedChange(of: first, schema: schema)
            let held = try await outbox.streamPage(after: frontier.position, limit: 100)
            #expect(held.events.isEmpty)
            let second = try await factory.insert()
            let page = try await outbox.streamPage(after: frontier.position, limit: 100)
            let settled = frontier.settle(page, now: .now)
            #expect(settled.events.map(\.compose.id) == [second.id])
            #expect(settled.skippedAfterWaiting == [page.events[0].id - 1])
            try await holder.rollback()
        }
    }
}
