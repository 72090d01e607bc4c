import PostgresNIO

/// Database errors that say nothing about the statement or the compose (design §11, "a passing
/// fault never fails a compose"): the same work on another connection, a moment later, may
/// well succeed. Callers retry these with back-off; any other error is the work's own.
public enum TransientDatabaseError {
    public enum Kind: String, Sendable, CaseIterable {
        /// 40P01: PostgreSQL broke a lock cycle by aborting this transaction.
        case deadlock
        /// 40001: a serialization failure.
        case serialization
        /// The connection died or could not be made (a restart, a failover,
        /// `pg_terminate_backend`, a pooled connection the server had dropped).
        case connection
    }

    /// The SQLSTATEs of a server that is going away or not there yet: class 08 (connection
    /// exception) and these.
    static let connectionStates: Set<String> = [
        "57P01",  // admin_shutdown (also pg_terminate_backend)
        "57P02",  // crash_shutdown
        "57P03",  // cannot_connect_now
        "57P05",  // idle_session_timeout
        "53300",  // too_many_connections
        "25P03",  // idle_in_transaction_session_timeout
    ]

    /// The kind of passing fault `error` is, or nil when it is not one.
    public static func kind(of error: any Error) -> Kind? {
        if let error = error as? PostgresTransactionError {
            // A failed BEGIN or COMMIT, or the closure's own error: whichever came first.
            for inner in [error.beginError, error.closureError, error.commitError].compactMap({ $0 }) {
                if let kind = kind(of: inner) { return kind }
            }
            return nil
        }
        // The pool's "could not connect for a while" (its module is not a public product).
        if String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError") { return .connection }
        guard let error = error as? PSQLError else { return nil }
        switch error.code {
        case .server:
            guard let state = error.serverInfo?[.sqlState] else { return nil }
            if state == "40P01" { return .deadlock }
            if state == "40001" { return .serialization }
            if state.hasPrefix("08") || connectionStates.contains(state) { return .connection }
            return nil
        case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection:
            return .connection
        default:
            return nil
        }
    }
}
