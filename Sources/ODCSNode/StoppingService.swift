import Logging
import ODCSServices
import ServiceLifecycle

/// A service of the node's group that says when it has stopped, so that a node slow to stop
/// on SIGTERM shows in its log which service it still waits for (the group stops them one at
/// a time, in reverse order).
struct StoppingService: Service {
    var service: any Service
    var logger: Logger

    /// Its name in the stop log: its type, and the duty of a leader elector.
    var name: String {
        if let elector = service as? LeaderElector { return "LeaderElector(\(elector.configuration.duty))" }
        if let bounded = service as? BoundedShutdown { return bounded.name }
        return String(describing: type(of: service))
    }

    func run() async throws {
        do {
            try await service.run()
        } catch {
            logger.info("service stopped", metadata: ["service": "\(name)", "error": "\(String(reflecting: error))"])
            throw error
        }
        logger.info("service stopped", metadata: ["service": "\(name)"])
    }
}

extension Node {
    /// The group's bounds: the compose worker may drain for `drain_timeout`, everything else
    /// stops in moments; past both the remaining services are cancelled, and past
    /// `cancellation` too the group gives up and the node exits with an error.
    static func shutdownBounds(drainTimeout: Duration) -> (graceful: Duration, cancellation: Duration) {
        (drainTimeout + .seconds(30), .seconds(10))
    }
}
