import ODCSCore

/// Compose states and source types as SQL writes them: the numbers come from `ComposeState`
/// and `SourceType`, never typed into a statement. They are rendered as literals, not bound,
/// so that a statement's predicate still matches a partial index's (`WHERE state = 0`,
/// `state IN (2, 4)`), which the planner proves only between constants.
extension ComposeState {
    /// `0` for wait, ...: for a statement's text.
    var sql: String { String(rawValue) }

    /// `(2, 4)` for `[.done, .failed]`: an `IN` list for a statement's text.
    static func sqlList(_ states: ComposeState...) -> String { "(" + states.map(\.sql).joined(separator: ", ") + ")" }
}

extension SourceType {
    /// `5` for raw_config, ...: for a statement's text.
    var sql: String { String(rawValue) }
}

extension ComposeTransition {
    /// The transition's guard on `column`: `state = 1` or `state IN (2, 4)`.
    func guardSQL(_ column: String = "state") -> String {
        from.count == 1 ? "\(column) = \(from[0].sql)" : "\(column) IN (\(from.map(\.sql).joined(separator: ", ")))"
    }

    /// The new state, for a statement's text.
    var toSQL: String { to.sql }
}
