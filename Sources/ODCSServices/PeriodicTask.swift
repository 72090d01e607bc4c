import Logging
import ServiceLifecycle

/// The loop every periodic service and leader duty shares: run `tick`, wait `interval`,
/// until the task is cancelled or (unless `untilCancelled`) the node starts shutting down.
/// An error is logged and the next tick tries again, except one that `endsOn` names, which
/// ends the loop by being thrown (a duty's lost term).
enum PeriodicTask {
    /// `untilCancelled`: keep going through a graceful shutdown (the lease heartbeat must go
    /// on while running composes drain, and a duty runs until its elector cancels it).
    static func run(
        every interval: Duration, name: String, logger: Logger, initialDelay: Duration = .zero, untilCancelled: Bool = false,
        endsOn isFatal: (any Error) -> Bool, _ tick: () async throws -> Void
    ) async throws {
        if initialDelay > .zero {
            do { try await Task.sleep(for: initialDelay) } catch { return }
        }
        while !Task.isCancelled && (untilCancelled || !Task.isShuttingDownGracefully) {
            do {
                try await tick()
            } catch is CancellationError {
                return
            } catch  where isFatal(error) {
                throw error
            } catch {
                if Task.isCancelled { return }
                logger.warning("\(name) failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// The same loop where no error is fatal.
    static func run(
        every interval: Duration, name: String, logger: Logger, initialDelay: Duration = .zero, untilCancelled: Bool = false,
        _ tick: () async throws -> Void
    ) async {
        do {
            try await run(
                every: interval, name: name, logger: logger, initialDelay: initialDelay, untilCancelled: untilCancelled,
                endsOn: { _ in false }, tick)
        } catch {
            // Nothing is fatal, so nothing is thrown.
        }
    }
}
