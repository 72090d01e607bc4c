import Logging
import ServiceLifecycle

/// The loop every periodic service shares: run `tick`, wait `interval`, until the task is
/// cancelled or the node shuts down. An error is logged and the next tick tries again.
enum PeriodicTask {
    static func run(
        every interval: Duration, name: String, logger: Logger, initialDelay: Duration = .zero, _ tick: () async throws -> Void
    ) async {
        if initialDelay > .zero {
            do { try await Task.sleep(for: initialDelay) } catch { return }
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await tick()
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("\(name) failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
