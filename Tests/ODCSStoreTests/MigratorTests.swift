import Logging
import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

@Suite struct MigratorTests {
    @Test func concurrentNodesApplyEachMigrationOnce() async throws {
        try await TestDatabase.withSchema(migrate: false) { client, _ in
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<5 {
                    group.addTask { try await Migrator(client: client, logger: TestDatabase.logger).migrate() }
                }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            // Each migration once, whichever migrator applied it (their results arrive in
            // completion order, so the flattened list need not be sorted).
            let applied = results.flatMap { $0 }
            #expect(applied.sorted() == Migration.all.map(\.version))
            let migrator = Migrator(client: client, logger: TestDatabase.logger)
            #expect(try await migrator.currentVersion() == migrator.latestVersion)
            #expect(try await migrator.migrate() == [])
        }
    }

    @Test func reportsVersionZeroOnAnEmptySchema() async throws {
        try await TestDatabase.withSchema(migrate: false) { client, _ in
            let version = try await Migrator(client: client, logger: TestDatabase.logger).currentVersion()
            #expect(version == 0)
        }
    }

    @Test func pinsTheSchemaOnEveryPooledConnection() async throws {
        try await TestDatabase.withSchema { client, schema in
            let paths = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await client.withConnection { connection in
                            var path = ""
                            for try await value in try await connection.query("SHOW search_path", logger: TestDatabase.logger).decode(
                                String.self)
                            {
                                path = value
                            }
                            try await Task.sleep(for: .milliseconds(20))
                            return path
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(paths == Array(repeating: schema, count: 4))
        }
    }

    @Test func splitsStatementsOutsideQuotesAndComments() {
        let migration = Migration(version: 99, name: "t", sql: "-- a; comment\nCREATE TABLE a (x text DEFAULT 'a;b');\nSELECT $$;$$;\n")
        #expect(migration.statements == ["CREATE TABLE a (x text DEFAULT 'a;b')", "SELECT $$;$$"])
    }
}
