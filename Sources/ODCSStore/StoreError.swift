/// Failures of the store that callers act on. Database errors pass through as `PSQLError`
/// and are logged, never shown to clients.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case composeNotFound(Int64)
    /// The row was not in the state the change requires (someone else moved it first).
    case stateConflict(id: Int64, current: Int)
    case corruptRow(String)

    public var description: String {
        switch self {
        case .composeNotFound(let id): "compose \(id) not found"
        case .stateConflict(let id, let current): "compose \(id) is in state \(current)"
        case .corruptRow(let detail): "corrupt row: \(detail)"
        }
    }
}
