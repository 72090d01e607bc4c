import Foundation
import Logging
import ODCSAPI

#if canImport(Glibc)
    import Glibc
#endif

/// How many HTTP connections the process's file limit (`ulimit -n`) leaves once the node's
/// other file descriptors are set aside, so that a flood of connections can never take the
/// ones the duty leaders' lock connections, the LISTEN connections and the pool need (a
/// node that runs out loses its leaderships; issue 14).
///
/// Usage: `raiseSoftLimit()` once at start, then `fit(_:)` the configured HTTP limits.
struct FileDescriptorBudget: Sendable, Equatable {
    /// The soft `RLIMIT_NOFILE` in force.
    var limit: Int
    /// Descriptors kept for everything but HTTP connections.
    var reserved: Int

    /// An HTTP connection holds its socket and, while it sends a file from `/composes/`, that file.
    static let perConnection = 2
    /// NIO accepts up to this many connections in one read, so the cap can be passed by that
    /// many minus one.
    static let acceptBurst = 4
    /// Files and pipes of compose generation (createrepo_c, pungi-koji, the files they
    /// write through us), outgoing HTTP (Koji, MBS, Pulp, OIDC, webhooks), AMQP, log files.
    static let margin = 256

    /// `databaseConnections` is the pool's size; each duty elector and each LISTEN holds one
    /// more connection, and every event loop three descriptors (epoll, eventfd, timerfd).
    init(limit: Int, databaseConnections: Int, duties: Int, eventLoops: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.limit = limit
        let listeners = 4
        reserved = databaseConnections + duties + listeners + 3 * eventLoops + Self.margin
    }

    /// The most HTTP connections this budget allows (at least 8, however low the limit).
    var maxConnections: Int { max(8, (limit - reserved - Self.acceptBurst) / Self.perConnection) }

    /// The limit that `connections` HTTP connections need.
    func limitNeeded(for connections: Int) -> Int { reserved + Self.acceptBurst + connections * Self.perConnection }

    /// `limits` with the connection cap lowered to what the budget allows, and the warning
    /// to log when it was.
    func fit(_ limits: HTTPServerLimits) -> (limits: HTTPServerLimits, warning: String?) {
        guard limits.maxConnections > maxConnections else { return (limits, nil) }
        var fitted = limits
        fitted.maxConnections = maxConnections
        let warning =
            "ulimit -n is \(limit): too low for http.max_connections \(limits.maxConnections) besides the database connections; "
            + "this node keeps at most \(maxConnections) HTTP connections open. Raise the open-files limit to at least "
            + "\(limitNeeded(for: limits.maxConnections)) (ulimit -n, LimitNOFILE, or the container runtime's nofile), or lower http.max_connections."
        return (fitted, warning)
    }

    /// Raises the soft open-files limit to the hard one (what an unprivileged process may do).
    /// Returns the soft limit in force afterwards, and the one before when it was raised.
    static func raiseSoftLimit() -> (limit: Int, raisedFrom: Int?) {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return (1024, nil) }
        let soft = limits.rlim_cur
        guard soft < limits.rlim_max else { return (clamped(soft), nil) }
        var raised = limits
        raised.rlim_cur = limits.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 else { return (clamped(soft), nil) }
        return (clamped(raised.rlim_cur), clamped(soft))
    }

    static func clamped(_ value: rlim_t) -> Int { value >= rlim_t(Int.max) ? Int.max : Int(value) }
}
