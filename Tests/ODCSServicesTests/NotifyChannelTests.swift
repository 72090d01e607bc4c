import Foundation
import ODCSServices
import ODCSStore
import ODCSTesting
import Testing

/// Every channel is notified where NotifyChannel says and heard by a listener of that name:
/// a new compose notifies `wait` (ComposeStore.insert) and `outbox` (migration 4's trigger).
@Suite struct NotifyChannelTests {
    @Test(.timeLimit(.minutes(1))) func aNewComposeIsHeardOnEveryChannel() async throws {
        try await TestDatabase.withSchema { client, schema in
            let connector = try TestDatabase.connector(schema: schema)
            let (heard, hear) = AsyncStream.makeStream(of: NotifyChannel.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for channel in NotifyChannel.allCases {
                    group.addTask {
                        await connector.listen(channel: channel, logger: testLogger) { hear.yield(channel) }
                    }
                }
                // The listener calls back once when it has started listening (and at every reconnect).
                var listening: Set<NotifyChannel> = []
                var iterator = heard.makeAsyncIterator()
                while listening.count < NotifyChannel.allCases.count, let channel = await iterator.next() { listening.insert(channel) }

                try await ComposeFactory(client: client).insert()
                var notified: Set<NotifyChannel> = []
                while notified.count < NotifyChannel.allCases.count, let channel = await iterator.next() { notified.insert(channel) }
                #expect(notified == Set(NotifyChannel.allCases))
                group.cancelAll()
            }
        }
    }

    /// A released migration keeps its text: the outbox triggers' channel is checked here
    /// (migration 4's row triggers, migration 11's statement trigger for inserts).
    @Test(arguments: [4, 11]) func theOutboxTriggersNotifyTheOutboxChannel(version: Int) throws {
        let migration = try #require(Migration.all.first { $0.version == version })
        #expect(migration.sql.contains("pg_notify('\(NotifyChannel.outbox.rawValue)', '')"))
    }
}
