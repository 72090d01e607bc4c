import Logging
import ODCSCore
import ODCSStore

/// Retries work on the database through passing faults (design §11): deadlocks,
/// serialization failures and dead or refused connections (`TransientDatabaseError`), with
/// exponential back-off and jitter, for at most `limit`. Every retry is logged and counted in
/// `odcs_db_retries_total{operation,kind}`. Any other error is the work's own and is thrown
/// at once, unless the caller asks to retry every error (`retryAll`, for fenced writes that
/// only the lease can refuse).
///
/// Each attempt also ends at the limit even when it does not answer (`Deadline`): postgres-nio
/// 1.33 can hand out a pooled connection the server has just terminated, and a query on it
/// may never return. Such an attempt is left behind (with its connection) and
/// `Deadline.Exceeded` is thrown, which callers treat as a passing fault too (`isPassing`).
struct DatabaseRetry: Sendable {
    var limit: Duration
    var metrics: ServiceMetrics
    var initialDelay: Duration = .milliseconds(50)
    var maxDelay: Duration = .seconds(2)
    /// The first wait after a dead connection: long enough for the pool to see it closed.
    var connectionDelay: Duration = .milliseconds(250)

    /// A passing fault, or an attempt that did not answer within the limit.
    static func isPassing(_ error: any Error) -> Bool {
        TransientDatabaseError.kind(of: error) != nil || error is Deadline.Exceeded
    }

    func run<R: Sendable>(
        _ operation: String, logger: Logger, retryAll: Bool = false, _ body: @escaping @Sendable () async throws -> R
    ) async throws -> R {
        let deadline = ContinuousClock.now + limit
        var delay = initialDelay
        var attempt = 1
        while true {
            do {
                return try await Deadline.run(max(deadline - ContinuousClock.now, .milliseconds(1)), body)
            } catch let error as Deadline.Exceeded {
                logger.warning("database gave no answer; giving up", metadata: ["operation": "\(operation)", "limit": "\(limit)"])
                throw error
            } catch {
                let transient = TransientDatabaseError.kind(of: error)
                let kind = transient?.rawValue ?? (retryAll ? "other" : nil)
                if transient == .connection { delay = max(delay, connectionDelay) }
                guard let kind, !Task.isCancelled, ContinuousClock.now + delay < deadline else { throw error }
                metrics.databaseRetries(operation: operation, kind: kind).increment()
                logger.warning(
                    "database error; retrying",
                    metadata: [
                        "operation": "\(operation)", "kind": "\(kind)", "attempt": "\(attempt)", "retry_in": "\(delay)",
                        "error": "\(String(reflecting: error))",
                    ])
                // Jitter: workers that failed together do not retry together.
                try await Task.sleep(for: delay * Double.random(in: 0.5...1.0))
                delay = min(delay * 2, maxDelay)
                attempt += 1
            }
        }
    }
}
