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
    /// The periodic loop (`PeriodicTask`) for a duty: `tick` every `interval` until the elector
    /// cancels the duty; ordinary errors are logged and retried, a lost term ends the duty.
    func loop(every interval: Duration, fence: LeaderFence, logger: Logger, _ tick: (LeaderFence) async throws -> Void) async throws {
        try await PeriodicTask.run(
            every: interval, name: name, logger: logger, untilCancelled: true,
            endsOn: { ($0 as? StoreError) == .notLeader(duty: fence.duty) }
        ) { try await tick(fence) }
    }
}
