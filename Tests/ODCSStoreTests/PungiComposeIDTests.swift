import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// Reservations of productmd compose ids (migration 7): one compose per id, whichever nodes
/// ask at the same time; the compose holding it may ask again; ids recorded before the
/// migration stay taken.
@Suite struct PungiComposeIDTests {
    @Test func concurrentReservationsOfOneIdHaveOneWinner() async throws {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeFactory(client: client).store
            let id = "compose-1-20261127.t.0"
            let winners = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for compose in Int64(1)...8 {
                    group.addTask { try await store.reservePungiComposeID(id, composeID: compose) ? compose : nil }
                }
                return try await group.reduce(into: [Int64]()) { if let winner = $1 { $0.append(winner) } }
            }
            #expect(winners.count == 1)
            let winner = try #require(winners.first)
            #expect(try await store.reservePungiComposeID(id, composeID: winner))
            #expect(try await !store.reservePungiComposeID(id, composeID: winner == 1 ? 2 : 1))
            #expect(try await store.reservePungiComposeID("compose-1-20261127.t.1", composeID: winner == 1 ? 2 : 1))
        }
    }

    @Test func idsRecordedBeforeTheMigrationStayTaken() async throws {
        try await TestDatabase.withSchema(migrate: false) { client, _ in
            try await Migrator(client: client, migrations: Migration.all.filter { $0.version < 7 }, logger: TestDatabase.logger).migrate()
            let factory = ComposeFactory(client: client)
            let old = try await factory.insert()
            try await factory.execute("UPDATE composes SET pungi_compose_id = 'compose-1-20261126.t.0' WHERE id = \(old.id)")
            try await Migrator(client: client, logger: TestDatabase.logger).migrate()
            #expect(try await !factory.store.reservePungiComposeID("compose-1-20261126.t.0", composeID: old.id + 1))
            #expect(try await factory.store.reservePungiComposeID("compose-1-20261126.t.0", composeID: old.id))
        }
    }
}
