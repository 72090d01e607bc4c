import Logging
import PostgresNIO

extension PostgresClient {
    /// A transaction on a pooled connection that rethrows the closure's own error as is
    /// (postgres-nio's `withTransaction` wraps it in `PostgresTransactionError`), so that
    /// callers can catch `StoreError` cases and `TransientDatabaseError` can classify it.
    ///
    /// When the server ended the connection (a restart, `pg_terminate_backend`), it has
    /// rolled the transaction back itself, and no ROLLBACK is sent: in postgres-nio 1.33 a
    /// query on a connection the server terminated never returns, and `withTransaction`'s
    /// ROLLBACK hung the caller for good (found by `connectionKilledMidReuseIsRetried`).
    func transaction<R: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            let value: R
            do {
                value = try await body(connection)
            } catch {
                if TransientDatabaseError.kind(of: error) != .connection {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                }
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return value
        }
    }
}
