import ODCSNode
import ODCSStore
import ODCSTesting
import Testing

/// `/readyz` during a rolling upgrade: a node is ready on its own schema and on a newer one
/// (migrations only add), never on an older one.
@Suite struct ReadinessTests {
    @Test func readyOnItsOwnAndOnANewerSchemaNotOnAnOlderOne() async throws {
        try await TestDatabase.withSchema(migrate: false) { client, _ in
            let logger = TestDatabase.logger
            let store = ComposeStore(client: client, logger: logger)
            let all = Migration.all
            let previous = Migrator(client: client, migrations: Array(all.dropLast()), logger: logger)
            let current = Migrator(client: client, migrations: all, logger: logger)

            try await previous.migrate()
            // The new binary on the previous release's schema: not ready until migrated.
            await #expect(throws: Readiness.NotReady.self) { try await Readiness.check(store: store, migrator: current) }
            try await Readiness.check(store: store, migrator: previous)

            try await current.migrate()
            // Both releases serve on the migrated schema, so a rollout keeps old nodes in the Service.
            try await Readiness.check(store: store, migrator: current)
            try await Readiness.check(store: store, migrator: previous)
        }
    }
}
