import Logging
import ServiceLifecycle
import Synchronization

/// The last service of a node's group, so the first to hear SIGTERM: it takes the node out of
/// rotation (`/readyz` answers 503) and keeps the HTTP server serving for
/// `http.shutdown_grace_seconds` before the group goes on to close the listener. A load
/// balancer that checks `/readyz` stops sending requests in that time, so no request finds
/// the port closed or its kept-alive connection cut (docs/operations.md, "Rolling restarts").
final class ShutdownGrace: Service, Sendable {
    let grace: Duration
    let logger: Logger
    private let leaving = Mutex(false)

    init(grace: Duration, logger: Logger) {
        self.grace = grace
        self.logger = logger
    }

    /// True once SIGTERM has arrived: `/readyz` answers 503 from then on.
    var isLeavingRotation: Bool { leaving.withLock { $0 } }

    func run() async throws {
        // Returns on SIGTERM; throws only when the group is cancelled, which ends this at once.
        try await gracefulShutdown()
        leaving.withLock { $0 = true }
        guard grace > .zero else { return }
        logger.info("leaving rotation: not ready, still serving", metadata: ["shutdown_grace": "\(grace)"])
        // The wait is the balancer's time to see `/readyz` fail: nothing here can signal it.
        try await Task.sleep(for: grace)
    }
}
