import Logging
import ServiceLifecycle

/// Runs a service that must not hold the node's exit: once a graceful shutdown has reached
/// it, the service gets `limit` to return; past that, this returns without it and logs so.
///
/// The node wraps its PostgreSQL pool in it. The pool is the first service of the group, so
/// it is stopped last, when nothing uses the database any more; its shutdown closes every
/// connection, and waits for one still connecting. Twice in about a dozen CI runs that wait
/// never ended, and the node outlived its SIGTERM by the group's whole bound (the drain
/// timeout and more). Leaving such a pool behind loses nothing: the process exits next, and
/// the kernel closes its sockets.
struct BoundedShutdown: Service {
    var service: any Service
    var name: String
    var limit: Duration
    var logger: Logger

    func run() async throws {
        // nil: the limit passed first.
        let (outcomes, report) = AsyncStream.makeStream(of: Result<Void, any Error>?.self)
        // Both tasks inherit this service's graceful shutdown (a task local).
        let inner = Task {
            do {
                try await service.run()
                report.yield(.success(()))
            } catch {
                report.yield(.failure(error))
            }
            report.finish()
        }
        let limit = limit
        let timer = Task {
            guard (try? await gracefulShutdown()) != nil, (try? await Task.sleep(for: limit)) != nil else { return }
            report.yield(nil)
            report.finish()
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            // Ends without an outcome when this task is cancelled.
            for await outcome in outcomes {
                guard let outcome else {
                    logger.warning(
                        "a service did not stop within its limit after the shutdown reached it; exiting without it",
                        metadata: ["service": "\(name)", "limit": "\(limit)"])
                    return
                }
                return try outcome.get()
            }
        } onCancel: {
            inner.cancel()
            report.finish()
        }
    }
}
