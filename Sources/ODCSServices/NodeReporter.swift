import Logging
import ODCSStore
import ServiceLifecycle

/// Registers this node in `nodes` at start, reports every `interval`, and marks it stopped
/// on the way out.
public struct NodeReporter: Service {
    public struct Configuration: Sendable {
        public var nodeID: String
        public var host: String
        public var version: String
        public var workers: Int
        public var interval: Duration = .seconds(10)

        public init(nodeID: String, host: String, version: String, workers: Int) {
            self.nodeID = nodeID
            self.host = host
            self.version = version
            self.workers = workers
        }
    }

    let configuration: Configuration
    let registry: NodeRegistry
    let logger: Logger

    public init(configuration: Configuration, registry: NodeRegistry, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await registry.register(
                        id: configuration.nodeID, host: configuration.host, version: configuration.version,
                        workers: configuration.workers)
                    break
                } catch {
                    logger.warning("cannot register the node; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    try await Task.sleep(for: configuration.interval)
                }
            }
            await PeriodicTask.run(
                every: configuration.interval, name: "node registry", logger: logger, initialDelay: configuration.interval
            ) {
                try await registry.touch(id: configuration.nodeID)
            }
        }
        try? await registry.touch(id: configuration.nodeID, state: "stopped")
    }
}
