import Foundation
import Logging
import ODCSStore
import PostgresNIO

/// A transaction on its own connection that holds locks for a test, and the signal
/// concurrency tests wait on instead of sleeping: which backends wait on whose locks
/// (`pg_blocking_pids`), read on a second connection of its own (the test's pool may hold a
/// connection the test just terminated).
public final class LockHolder: Sendable {
    public let connection: PostgresConnection
    public let pid: Int32
    let observer: PostgresConnection

    init(connection: PostgresConnection, pid: Int32, observer: PostgresConnection) {
        self.connection = connection
        self.pid = pid
        self.observer = observer
    }

    /// Opens a connection bound to `schema` and begins a transaction on it.
    public static func begin(schema: String) async throws -> LockHolder {
        let configuration = try TestDatabase.connector(schema: schema).configuration
        func connect() async throws -> PostgresConnection {
            try await PostgresConnection.connect(
                configuration: configuration, id: Int.random(in: 1...Int(Int32.max)), logger: TestDatabase.logger)
        }
        // postgres-nio stops the process when a connection is released unclosed: every
        // connection opened here is closed again on any error before `LockHolder` owns it.
        var opened: [PostgresConnection] = []
        do {
            let connection = try await connect()
            opened.append(connection)
            let observer = try await connect()
            opened.append(observer)
            var pid: Int32 = 0
            for try await value in try await connection.query("SELECT pg_backend_pid()", logger: TestDatabase.logger).decode(Int32.self) {
                pid = value
            }
            try await connection.query("BEGIN", logger: TestDatabase.logger)
            return LockHolder(connection: connection, pid: pid, observer: observer)
        } catch {
            // Not awaited: a close on a connection the server ended may never finish; the task
            // keeps the connection until it does.
            for connection in opened { Task { try? await connection.close() } }
            throw error
        }
    }

    public func execute(_ query: PostgresQuery) async throws {
        try await connection.query(query, logger: TestDatabase.logger)
    }

    /// Locks a compose's row `FOR UPDATE` until `commit`: every writer of that row waits.
    public func lockCompose(_ id: Int64) async throws {
        try await execute("SELECT id FROM composes WHERE id = \(id) FOR UPDATE")
    }

    /// Ends the transaction (its locks go) and closes the connections.
    public func commit() async throws {
        try await connection.query("COMMIT", logger: TestDatabase.logger)
        try await connection.close()
        try await observer.close()
    }

    /// Rolls the transaction back and closes the connections.
    public func rollback() async throws {
        try await connection.query("ROLLBACK", logger: TestDatabase.logger)
        try await connection.close()
        try await observer.close()
    }

    deinit {
        // A test that failed before `commit`: PostgresConnection insists on being closed.
        let (connection, observer) = (connection, observer)
        Task {
            try? await connection.close()
            try? await observer.close()
        }
    }

    /// Waits until some backend waits on a lock that `blocker` holds (and, with `matching`,
    /// runs a statement containing that text); returns their pids.
    /// Pids in `excluding` do not count (a backend just terminated may still be listed).
    public func waiters(on blocker: Int32? = nil, matching: String? = nil, excluding: [Int32] = []) async throws -> [Int32] {
        let blocker = blocker ?? pid
        let pattern = matching.map { "%\($0)%" } ?? "%"
        while true {
            var pids: [Int32] = []
            let rows = try await observer.query(
                """
                SELECT pid FROM pg_stat_activity
                WHERE \(blocker) = ANY(pg_blocking_pids(pid)) AND query LIKE \(pattern) AND pid <> ALL(\(excluding)::int4[])
                """, logger: TestDatabase.logger)
            for try await pid in rows.decode(Int32.self) { pids.append(pid) }
            if !pids.isEmpty { return pids }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Kills the given backends as an operator or a failover would (`pg_terminate_backend`).
    public func terminate(_ pids: [Int32]) async throws {
        for pid in pids {
            try await observer.query("SELECT pg_terminate_backend(\(pid))", logger: TestDatabase.logger)
        }
    }
}
