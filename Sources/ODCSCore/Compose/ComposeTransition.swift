/// A state change the service makes, named once. Every statement that changes a compose's
/// state renders its guard (`WHERE state IN from`) and its new state from one of these, and a
/// transition can only be made of pairs `ComposeState.canTransition` allows: the table there
/// is the one guard, in Swift and in SQL alike.
public struct ComposeTransition: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let from: [ComposeState]
    public let to: ComposeState

    /// Stops the process when a pair is not in `ComposeState.canTransition`'s table: such a
    /// transition is a programming error, and a test builds every one of them.
    init(_ name: String, from: [ComposeState], to: ComposeState) {
        precondition(!from.isEmpty, "transition \(name) starts nowhere")
        for state in from {
            precondition(state.canTransition(to: to), "transition \(name): \(state.name) → \(to.name) is not allowed")
        }
        self.name = name
        self.from = from
        self.to = to
    }

    public var description: String { "\(name): \(from.map(\.name).joined(separator: "|")) → \(to.name)" }

    /// A worker takes a waiting compose.
    public static let claim = ComposeTransition("claim", from: [.wait], to: .generating)
    /// Its generation (or the compose it reuses) succeeded.
    public static let finishDone = ComposeTransition("finish_done", from: [.generating], to: .done)
    /// Its generation (or the compose it reuses) failed, or its attempts ran out.
    public static let finishFailed = ComposeTransition("finish_failed", from: [.generating], to: .failed)
    /// It reused a compose that has since been removed.
    public static let followRemoved = ComposeTransition("follow_removed", from: [.generating], to: .removed)
    /// Its node was lost, or it drained: back to the queue for another attempt.
    public static let requeue = ComposeTransition("requeue", from: [.generating], to: .wait)
    /// DELETE of a waiting compose, or one stuck in wait for too long.
    public static let cancel = ComposeTransition("cancel", from: [.wait], to: .failed)
    /// Expiry, an admin's DELETE, disk pressure.
    public static let remove = ComposeTransition("remove", from: [.done, .failed], to: .removed)

    /// Every transition the service makes.
    public static let all: [ComposeTransition] = [
        .claim, .finishDone, .finishFailed, .followRemoved, .requeue, .cancel, .remove,
    ]
}
