/// Failures of the store that callers act on. Database errors pass through as `PSQLError`
/// and are logged, never shown to clients.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case composeNotFound(Int64)
    /// The row was not in the state the change requires (someone else moved it first).
    case stateConflict(id: Int64, current: Int)
    case corruptRow(String)
    /// A fenced write found the lease gone: the compose was rescued or finished elsewhere.
    case leaseLost(Int64)
    /// A leader-only write found that this node no longer holds the duty's term.
    case notLeader(duty: String)
    /// A batch INSERT committed but returned rows that do not pair with its requests.
    case insertedRowsUnmatched(inserted: Int, requested: Int)

    public var description: String {
        switch self {
        case .composeNotFound(let id): "compose \(id) not found"
        case .stateConflict(let id, let current): "compose \(id) is in state \(current)"
        case .corruptRow(let detail): "corrupt row: \(detail)"
        case .leaseLost(let id): "lease on compose \(id) lost"
        case .notLeader(let duty): "not the leader of \(duty)"
        case .insertedRowsUnmatched(let inserted, let requested):
            "an INSERT of \(requested) composes committed \(inserted) rows that do not pair with them in order"
        }
    }
}
