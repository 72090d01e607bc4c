import Logging
import ODCSCore
import ODCSStore

/// Leader duty: takes back generating composes whose node stopped heartbeating (back to
/// `wait` with back-off while attempts remain, else `failed` naming the node), and fails
/// those past their deadline with upstream's "stuck in generating" text. Never acts on
/// elapsed time alone, and skips rows a live worker is writing (`SKIP LOCKED`).
///
/// Metrics: `odcs_rescued_total{reason}`.
public struct LeaseRescuer: LeaderDuty {
    public struct Configuration: Sendable {
        public var interval: Duration = .seconds(5)
        public var leaseTimeout: Duration = .seconds(45)
        public var maxAttempts: Int = 3
        /// Back-off before the next attempt, times the attempt number.
        public var backoff: Duration = .seconds(5)
        public var batchSize: Int = 500

        public init() {}
    }

    public let name = "lease_rescue"
    let configuration: Configuration
    let sweeps: ComposeSweeps
    let metrics: ServiceMetrics
    let logger: Logger

    public init(configuration: Configuration, sweeps: ComposeSweeps, metrics: ServiceMetrics, logger: Logger) {
        self.configuration = configuration
        self.sweeps = sweeps
        self.metrics = metrics
        self.logger = logger
    }

    public func run(fence: LeaderFence) async throws {
        try await loop(every: configuration.interval, fence: fence, logger: logger) { fence in _ = try await runOnce(fence: fence) }
    }

    /// One sweep, batch after batch until a short batch. Returns what it rescued.
    public func runOnce(fence: LeaderFence?) async throws -> [RescuedCompose] {
        var all: [RescuedCompose] = []
        while true {
            let batch = try await sweeps.rescueStale(
                leaseTimeoutSeconds: configuration.leaseTimeout.wholeSeconds, maxAttempts: configuration.maxAttempts,
                backoffSeconds: configuration.backoff.wholeSeconds, limit: configuration.batchSize, fence: fence)
            for compose in batch {
                (compose.overdue ? metrics.rescuedDeadline : metrics.rescuedHeartbeat).increment()
                logger.warning(
                    "rescued a compose from a lost lease",
                    metadata: [
                        "compose_id": "\(compose.id)", "lost_node": "\(compose.lostNode ?? "?")", "attempt": "\(compose.attempt)",
                        "now": "\(compose.newState.name)", "reason": "\(compose.overdue ? "deadline" : "heartbeat")",
                    ])
            }
            all += batch
            if batch.count < configuration.batchSize { return all }
        }
    }
}
