import Foundation
import Logging
import ODCSNode
import ODCSStore
import PostgresNIO

/// A throwaway, migrated schema per test on the cluster that `scripts/test` starts
/// (`TEST_DATABASE_URL`). Every pooled connection has `search_path` pinned to the schema,
/// so tests run in parallel without seeing each other's rows.
public enum TestDatabase {
    public struct MissingDatabase: Error, CustomStringConvertible {
        public var description: String {
            "TEST_DATABASE_URL is not set: run the tests through scripts/test, which starts a private PostgreSQL"
        }
    }

    public static var url: DatabaseURL {
        get throws { try DatabaseURL(parsing: urlText) }
    }

    public static var urlText: String {
        get throws {
            guard let text = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { throw MissingDatabase() }
            return text
        }
    }

    public static let logger: Logger = {
        var logger = Logger(label: "odcs-test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        return logger
    }()

    /// Creates a schema, migrates it, runs `body` with a client bound to it, drops it.
    public static func withSchema<R: Sendable>(
        migrate: Bool = true, _ body: @Sendable (PostgresClient, String) async throws -> R
    ) async throws -> R {
        let url = try url
        let schema = "odcs_test_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        try await withClient(url.clientConfiguration(maxConnections: 2, connectTimeout: 10)) { admin in
            try await admin.query("CREATE SCHEMA \(unescaped: schema)", logger: logger)
        }
        do {
            let configuration = url.clientConfiguration(
                maxConnections: 8, connectTimeout: 10, startupParameters: [("search_path", schema)])
            let result = try await withClient(configuration) { client in
                if migrate { try await Migrator(client: client, logger: logger).migrate() }
                return try await body(client, schema)
            }
            try await dropSchema(schema, url: url)
            return result
        } catch {
            try? await dropSchema(schema, url: url)
            throw error
        }
    }

    /// Dedicated connections (LISTEN, leader locks) bound to `schema` like the pool's.
    public static func connector(schema: String) throws -> DatabaseConnector {
        DatabaseConnector(configuration: try url.connectionConfiguration(connectTimeout: 10, startupParameters: [("search_path", schema)]))
    }

    static func dropSchema(_ schema: String, url: DatabaseURL) async throws {
        try await withClient(url.clientConfiguration(maxConnections: 1, connectTimeout: 10)) { admin in
            try await admin.query("DROP SCHEMA IF EXISTS \(unescaped: schema) CASCADE", logger: logger)
        }
    }

    public static func withClient<R: Sendable>(
        _ configuration: PostgresClient.Configuration, _ body: @Sendable (PostgresClient) async throws -> R
    ) async throws -> R {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
