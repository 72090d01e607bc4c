/// The five states of ODCS 0.9.2 with their wire numbers, and the transitions between them.
public enum ComposeState: Int, Sendable, CaseIterable, Codable {
    case wait = 0
    case generating = 1
    case done = 2
    case removed = 3
    case failed = 4

    public var name: String {
        switch self {
        case .wait: "wait"
        case .generating: "generating"
        case .done: "done"
        case .removed: "removed"
        case .failed: "failed"
        }
    }

    public init?(name: String) {
        guard let state = ComposeState.allCases.first(where: { $0.name == name }) else { return nil }
        self = state
    }

    /// The transitions upstream makes (reference §2). `removed` is terminal; a renew of a
    /// removed or failed compose makes a new compose instead.
    public func canTransition(to next: ComposeState) -> Bool {
        switch (self, next) {
        case (.wait, .generating), (.wait, .failed): true
        case (.generating, .done), (.generating, .failed), (.generating, .removed): true
        // A generating compose goes back to wait when its node is lost (lease rescue).
        case (.generating, .wait): true
        case (.done, .removed), (.failed, .removed): true
        default: false
        }
    }

    /// States from which DELETE may mark a compose for removal.
    public static let removable: [ComposeState] = [.done, .failed]
    /// States that PATCH (renew) accepts.
    public static let renewable: [ComposeState] = [.removed, .done, .failed]
}
