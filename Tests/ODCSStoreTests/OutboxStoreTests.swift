import Foundation
import ODCSCore
@_spi(Testing) import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// The outbox trigger and the publisher's claims, on a real PostgreSQL.
@Suite struct OutboxStoreTests {
    static func events(_ outbox: OutboxStore) async throws -> [(compose: Int64, state: ComposeState)] {
        try await outbox.events(after: 0, limit: 1000).map { ($0.compose.id, $0.compose.state) }
    }

    @Test func creationAndEveryStateChangeWriteOneEventWithTheRowAsItWas() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            let compose = try await factory.insert()
            _ = try await factory.queue.claim(node: "n1", limit: 1, deadlineSeconds: 60)
            // A change that is not a state change writes nothing (upstream sends nothing either).
            try await factory.execute("UPDATE composes SET state_reason = 'still going' WHERE id = \(compose.id)")
            try await factory.store.overwriteState(id: compose.id, state: .done, reason: "Compose is generated successfully")
            let events = try await outbox.events(after: 0)
            #expect(events.map(\.compose.state) == [.wait, .generating, .done])
            #expect(events[2].compose.stateReason == "Compose is generated successfully")
            #expect(events.allSatisfy { $0.compose.id == compose.id })
            #expect(events[0].compose.owner == "tester" && events[0].compose.builds == "foo-1.0-1")
            #expect(events[1].compose.stateReason == nil || events[1].compose.stateReason != "still going")
            #expect(events.map(\.id) == events.map(\.id).sorted())
            #expect(try await outbox.lastEventID() == events.last?.id)
        }
    }

    /// Migration 11: a statement inserting many composes writes one creation event per
    /// compose, in id order, each with its row as inserted.
    @Test func aBatchInsertWritesOneEventPerComposeInIdOrder() async throws {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeStore(client: client, logger: TestDatabase.logger)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            let batch = (0..<5).map { index in
                var request = NewCompose(owner: "owner\(index)", sourceType: .build, source: "", secondsToLive: 60)
                request.builds = "pkg\(index)-1.0-1"
                request.label = "label-\(index)"
                return request
            }
            let inserted = try await store.insert(batch: batch)
            let events = try await outbox.events(after: 0)
            #expect(events.map(\.compose.id) == inserted.map(\.id))
            #expect(events.map(\.id) == events.map(\.id).sorted())
            #expect(events.allSatisfy { $0.compose.state == .wait })
            // The snapshot is the row: every field the API shows, as stored.
            for (event, compose) in zip(events, inserted) {
                #expect(event.compose.owner == compose.owner && event.compose.builds == compose.builds)
                #expect(event.compose.label == compose.label && event.compose.timeToExpire == compose.timeToExpire)
            }
        }
    }

    @Test func aRolledBackChangeLeavesNoEvent() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            let compose = try await factory.insert()
            struct Rollback: Error {}
            await #expect(throws: PostgresTransactionError.self) {
                try await client.withTransaction(logger: TestDatabase.logger) { connection in
                    try await connection.query("UPDATE composes SET state = 4 WHERE id = \(compose.id)", logger: TestDatabase.logger)
                    throw Rollback()
                }
            }
            #expect(try await Self.events(outbox).map(\.state) == [.wait])
        }
    }

    @Test func publishersTakeOnlyEachComposesOldestEventAndRecordTheOutcome() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            let first = try await factory.insert()
            let second = try await factory.insert()
            _ = try await factory.store.cancel(id: first.id, reason: "x")  // first: wait, failed

            // Round 1: the head of each compose: first's wait and second's wait.
            let round1 = Collector()
            try await outbox.publishBatch(limit: 10) { events in
                await round1.add(events)
                return events.map { OutboxOutcome(id: $0.id, delivered: ["amqp"]) }
            }
            #expect(await round1.states == ["\(first.id) wait", "\(second.id) wait"])

            // Round 2: first's failed event, now its head; a failure keeps it and backs off.
            let round2 = Collector()
            try await outbox.publishBatch(limit: 10) { events in
                await round2.add(events)
                return events.map { OutboxOutcome(id: $0.id, delivered: [], error: "broker down", retryAfterSeconds: 3600) }
            }
            #expect(await round2.states == ["\(first.id) failed"])

            // Round 3: first's head backs off and holds back first's later event; other composes flow.
            try await client.query("UPDATE composes SET state = 3 WHERE id = \(first.id)", logger: TestDatabase.logger)
            let third = try await factory.insert()
            let round3 = Collector()
            try await outbox.publishBatch(limit: 10) { events in
                await round3.add(events)
                return []
            }
            #expect(await round3.states == ["\(third.id) wait"])
            let (backlog, _) = try await outbox.backlog()
            #expect(backlog == 3)
        }
    }

    @Test func concurrentPublishersNeverClaimTheSameEvent() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            for _ in 0..<40 { try await factory.insert() }
            let seen = Collector()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        while try await outbox.publishBatch(
                            limit: 3,
                            deliver: { events in
                                await seen.add(events)
                                return events.map { OutboxOutcome(id: $0.id, delivered: ["webhook"]) }
                            }) > 0
                        {}
                    }
                }
                try await group.waitForAll()
            }
            let ids = await seen.ids
            #expect(ids.count == 40)
            #expect(Set(ids).count == 40)
            #expect(try await outbox.backlog().count == 0)
        }
    }

    @Test func prunesOnlyOldPublishedEvents() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: TestDatabase.logger)
            try await factory.insert()
            try await factory.insert()
            try await outbox.publishBatch(limit: 1) { events in events.map { OutboxOutcome(id: $0.id, delivered: ["amqp"]) } }
            try await factory.execute("UPDATE outbox SET published_at = now() - interval '2 days' WHERE published_at IS NOT NULL")
            #expect(try await outbox.prune(publishedBefore: 86400) == 1)
            #expect(try await Self.events(outbox).count == 1)
            #expect(try await outbox.prune(publishedBefore: 86400) == 0)
        }
    }
}

actor Collector {
    var events: [OutboxEvent] = []
    func add(_ more: [OutboxEvent]) { events += more }
    var states: [String] { events.map { "\($0.compose.id) \($0.compose.state.name)" } }
    var ids: [Int64] { events.map(\.id) }
}
