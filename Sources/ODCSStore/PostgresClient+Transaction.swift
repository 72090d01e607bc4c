import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction` that rethrows the closure's own error as is (postgres-nio wraps it in
    /// `PostgresTransactionError`), so that callers can catch `StoreError` cases.
    func transaction<R: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> sending R) async throws -> R {
        do {
            return try await withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }
}
