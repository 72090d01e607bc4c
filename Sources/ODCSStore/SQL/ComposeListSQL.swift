import ODCSCore
import PostgresNIO

/// The list endpoint's two statements, built from a validated `ComposeListQuery`: filter
/// values are binds; column names come only from the closed enums below.
enum ComposeListSQL {
    static func whereClause(_ query: ComposeListQuery, binds: inout PostgresBindings) -> String {
        var conditions: [String] = []
        func add(_ column: String, _ value: some PostgresNonThrowingEncodable & Sendable) {
            binds.append(value)
            conditions.append("\(column) = $\(binds.count)")
        }
        for filter in query.filters {
            switch filter {
            case .owner(let value): add("owner", value)
            case .sourceType(let value): add("source_type", value)
            case .source(let value): add("source", value)
            case .state(let value): add("state", value)
            case .kojiTaskID(let value): add("koji_task_id", value)
            case .pungiComposeID(let value): add("pungi_compose_id", value)
            case .composeType(let value): add("compose_type", value)
            case .label(let value): add("label", value)
            }
        }
        return conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    static func composeSelectPage(_ query: ComposeListQuery) -> PostgresQuery {
        var binds = PostgresBindings()
        let filter = whereClause(query, binds: &binds)
        let direction = query.descending ? "DESC" : "ASC"
        // id breaks ties so that pages never overlap or skip rows.
        let order = query.orderBy == .id ? "id \(direction)" : "\(query.orderBy.rawValue) \(direction), id \(direction)"
        binds.append(query.perPage)
        let limit = binds.count
        binds.append(query.offset)
        let offset = binds.count
        return PostgresQuery(
            unsafeSQL: "SELECT \(ComposeColumns.list) FROM composes\(filter) ORDER BY \(order) LIMIT $\(limit) OFFSET $\(offset)",
            binds: binds)
    }

    /// The total: from the per-(source type, state) counts when the filters are only those
    /// (migration 6), else an exact `count(*)` of the matching rows.
    static func composeCount(_ query: ComposeListQuery) -> PostgresQuery {
        var binds = PostgresBindings()
        let filter = whereClause(query, binds: &binds)
        let counted = query.filters.allSatisfy {
            switch $0 {
            case .state, .sourceType: true
            default: false
            }
        }
        if counted {
            return PostgresQuery(unsafeSQL: "SELECT coalesce(sum(delta), 0)::bigint FROM compose_count_deltas\(filter)", binds: binds)
        }
        return PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM composes\(filter)", binds: binds)
    }
}
