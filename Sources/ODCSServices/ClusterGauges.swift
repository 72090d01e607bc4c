import Logging
import ODCSCore
import ODCSStore

/// Leader duty: the cluster-wide gauges, computed once for the cluster instead of by every
/// node: composes per state, live nodes, the expiry lag and the queue table's dead tuples.
/// Every `compactInterval` it also folds the compose count rows (migration 6), which keeps
/// the list endpoint's total a sum of a few rows.
///
/// Metrics: `odcs_cluster_composes{state}`, `odcs_cluster_nodes`, `odcs_expiry_lag_seconds`,
/// `odcs_pg_dead_tuples`.
public struct ClusterGauges: LeaderDuty {
    public struct Configuration: Sendable {
        public var interval: Duration = .seconds(15)
        public var compactInterval: Duration = .seconds(1)
        /// A node not seen for this long does not count as live.
        public var nodeStaleSeconds: Double = 60

        public init() {}
    }

    public let name = "cluster_gauges"
    let configuration: Configuration
    let sweeps: ComposeSweeps
    let nodes: NodeRegistry
    let metrics: ServiceMetrics
    let logger: Logger

    public init(configuration: Configuration, sweeps: ComposeSweeps, nodes: NodeRegistry, metrics: ServiceMetrics, logger: Logger) {
        self.configuration = configuration
        self.sweeps = sweeps
        self.nodes = nodes
        self.metrics = metrics
        self.logger = logger
    }

    public func run(fence: LeaderFence) async throws {
        var lastGauges: ContinuousClock.Instant? = nil
        try await loop(every: configuration.compactInterval, fence: fence, logger: logger) { _ in
            try await sweeps.compactCounts()
            if lastGauges.map({ ContinuousClock.now - $0 >= configuration.interval }) ?? true {
                lastGauges = .now
                try await runOnce()
            }
        }
    }

    public func runOnce() async throws {
        let counts = try await sweeps.countsByState()
        for state in ComposeState.allCases { metrics.clusterComposes(state: state.name).record(counts[state] ?? 0) }
        let live = try await nodes.all().filter { $0.secondsSinceSeen < configuration.nodeStaleSeconds && $0.state != "stopped" }
        metrics.clusterNodes.record(live.count)
        metrics.expiryLag.record(try await sweeps.expiryLag())
        metrics.deadTuples.record(try await sweeps.deadTuples())
    }
}
