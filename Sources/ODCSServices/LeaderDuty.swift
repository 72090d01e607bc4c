import Logging
import ODCSStore

/// A leader-only duty: runs only while this node holds the duty's lock, and stamps its
/// writes with the fence. It does not know about elections; `LeaderElector` starts it when
/// this node wins and cancels it when the node steps down.
public protocol LeaderDuty: Sendable {
    var name: String { get }
    /// Runs until cancelled. Throws `StoreError.notLeader` when a fenced write finds the
    /// term gone, which makes the elector step down.
    func run(fence: LeaderFence) async throws
}

extension LeaderDuty {
    /// The loop every duty shares: `tick` every `interval`; ordinary errors are logged and
    /// retried, a lost term ends the duty.
    func loop(every interval: Duration, fence: LeaderFence, logger: Logger, _ tick: (LeaderFence) async throws -> Void) async throws {
        while !Task.isCancelled {
            do {
                try await tick(fence)
            } catch let error as StoreError where error == .notLeader(duty: fence.duty) {
                throw error
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("\(name) failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
            try await Task.sleep(for: interval)
        }
    }
}
