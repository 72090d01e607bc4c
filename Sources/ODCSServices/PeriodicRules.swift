import Logging
import ODCSStore

/// Leader duty: upstream's periodic rules (`odcs-manager cleanup`) that are not expiry —
/// a compose waiting more than 3 days fails; a compose reusing another follows it to its
/// final state (catching any race the finish transaction could miss). Also forgets nodes
/// long gone from the registry.
public struct PeriodicRules: LeaderDuty {
    public struct Configuration: Sendable {
        public var interval: Duration = .seconds(60)
        public var stuckWait: Duration = .seconds(3 * 86400)
        public var forgetNodesAfter: Duration = .seconds(7 * 86400)
        public var batchSize: Int = 500

        public init() {}
    }

    public let name = "periodic_rules"
    let configuration: Configuration
    let sweeps: ComposeSweeps
    let nodes: NodeRegistry
    let logger: Logger

    public init(configuration: Configuration, sweeps: ComposeSweeps, nodes: NodeRegistry, logger: Logger) {
        self.configuration = configuration
        self.sweeps = sweeps
        self.nodes = nodes
        self.logger = logger
    }

    public func run(fence: LeaderFence) async throws {
        try await loop(every: configuration.interval, fence: fence, logger: logger) { fence in try await runOnce(fence: fence) }
    }

    public func runOnce(fence: LeaderFence?) async throws {
        while true {
            let failed = try await sweeps.failStuckWaiting(
                olderThanSeconds: configuration.stuckWait.wholeSeconds, limit: configuration.batchSize, fence: fence)
            if !failed.isEmpty { logger.warning("failed composes stuck in wait", metadata: ["compose_ids": "\(failed)"]) }
            if failed.count < configuration.batchSize { break }
        }
        let followed = try await sweeps.syncFollowers(fence: fence)
        if followed > 0 { logger.info("reusing composes took their final state", metadata: ["count": "\(followed)"]) }
        try await nodes.forget(olderThan: configuration.forgetNodesAfter.wholeSeconds)
    }
}
