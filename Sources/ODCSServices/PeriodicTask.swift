import Logging
import ServiceLifecycle

/// The loop every periodic service shares: run `tick`, wait `interval`, until the task is
/// cancelled or (unless `untilCancelled`) the node starts shutting down. An error is logged
/// and the next tick tries again.
enum PeriodicTask {
    /// `untilCancelled`: keep going through a graceful shutdown (the lease heartbeat must go
    /// on while running composes drain).
    static func run(
        every interval: Duration, name: String, logger: Logger, initialDelay: Duration = .zero, untilCancelled: Bool = false,
        _ tick: () async throws -> Void
    ) async {
        if initialDelay > .zero {
            do { try await Task.sleep(for: initialDelay) } catch { return }
        }
        while !Task.isCancelled && (untilCancelled || !Task.isShuttingDownGracefully) {
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
