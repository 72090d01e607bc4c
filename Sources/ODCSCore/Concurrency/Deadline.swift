import Synchronization

/// Runs an operation with a time limit and returns at the limit even when the operation
/// does not respond to cancellation (a query on a half-dead connection may not): the
/// operation runs in its own task, which is cancelled and left behind on timeout.
/// A structured task group would wait for it, which is exactly the hang to avoid.
public enum Deadline {
    public struct Exceeded: Error, CustomStringConvertible {
        public var limit: Duration
        public var description: String { "no answer within \(limit)" }

        public init(limit: Duration) {
            self.limit = limit
        }
    }

    /// Resumes a continuation once, from whichever task gets there first.
    final class Race<T: Sendable>: Sendable {
        let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, tasks: [Task<Void, Never>])>((nil, []))

        func finish(_ result: Result<T, any Error>) {
            let continuation = state.withLock { state in
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(with: result)
            for task in state.withLock({ $0.tasks }) { task.cancel() }
        }
    }

    public static func run<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.state.withLock { $0.continuation = continuation }
                let work = Task {
                    do { race.finish(.success(try await operation())) } catch { race.finish(.failure(error)) }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    race.finish(.failure(Exceeded(limit: limit)))
                }
                race.state.withLock { $0.tasks = [work, timer] }
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }
}
