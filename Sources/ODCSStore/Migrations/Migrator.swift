import Logging
import PostgresNIO

/// Applies `Migration.all` in order, each in its own transaction under a transaction-level
/// advisory lock, so that any number of nodes starting at once apply each migration once.
public struct Migrator: Sendable {
    /// Advisory lock key for migrations ("odcsmigr" in ASCII).
    public static let lockKey: Int64 = 0x6F64_6373_6D69_6772

    let client: PostgresClient
    let migrations: [Migration]
    let logger: Logger

    public init(client: PostgresClient, migrations: [Migration] = Migration.all, logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Returns the versions applied by this call (empty when the schema was current).
    @discardableResult
    public func migrate() async throws -> [Int] {
        var applied: [Int] = []
        for migration in migrations {
            let didApply = try await client.withTransaction(logger: logger) { connection in
                try await connection.query(MigrationSQL.migrationLockSchema(Migrator.lockKey), logger: logger)
                try await connection.query(MigrationSQL.migrationCreateTableIfMissing, logger: logger)
                let rows = try await connection.query(MigrationSQL.migrationSelectByVersion(migration.version), logger: logger)
                for try await _ in rows { return false }
                // The extended protocol takes one statement at a time.
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(MigrationSQL.migrationInsert(migration), logger: logger)
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return applied
    }

    /// The highest applied version, or 0 on an empty database.
    public func currentVersion() async throws -> Int {
        var exists = false
        for try await value in try await client.query(MigrationSQL.migrationSelectTableExists, logger: logger).decode(Bool.self) {
            exists = value
        }
        guard exists else { return 0 }
        for try await version in try await client.query(MigrationSQL.migrationSelectCurrentVersion, logger: logger).decode(Int.self) {
            return version
        }
        return 0
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }
}
