import PostgresNIO

/// Statements on `schema_migrations`.
enum MigrationSQL {
    /// Advisory locks are database-wide; the key is combined with the schema, so that nodes on
    /// one schema serialize their migrations while separate schemas (the tests' one per test)
    /// do not wait for each other.
    static func migrationLockSchema(_ key: Int64) -> PostgresQuery {
        "SELECT pg_advisory_xact_lock(\(key) # hashtextextended(current_schema(), 0))"
    }

    static let migrationCreateTableIfMissing: PostgresQuery = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    static func migrationSelectByVersion(_ version: Int) -> PostgresQuery {
        "SELECT 1 FROM schema_migrations WHERE version = \(version)"
    }

    static func migrationInsert(_ migration: Migration) -> PostgresQuery {
        "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))"
    }

    static let migrationSelectTableExists: PostgresQuery = "SELECT to_regclass('schema_migrations') IS NOT NULL"

    static let migrationSelectCurrentVersion: PostgresQuery = "SELECT coalesce(max(version), 0)::integer FROM schema_migrations"
}
