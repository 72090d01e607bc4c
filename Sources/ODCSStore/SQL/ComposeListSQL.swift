import ODCSCore
import PostgresNIO

/// The list endpoint's statements, built from a validated `ComposeListQuery`: filter
/// values are binds; column names come only from the closed enums below.
enum ComposeListSQL {
    /// The length of `source_prefix` (migration 13), in characters.
    static let sourcePrefixLength = 256

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
            case .source(let value):
                // The index holds the value's first 256 characters (`source_prefix`,
                // migration 13); PostgreSQL's `left` counts code points. A shorter value
                // is decided by the prefix alone, so its count is an index-only scan.
                if value.unicodeScalars.count < sourcePrefixLength {
                    add("source_prefix", value)
                } else {
                    add("source", value)
                    conditions.append("source_prefix = left($\(binds.count), \(sourcePrefixLength))")
                }
            case .state(let value): add("state", value)
            case .kojiTaskID(let value): add("koji_task_id", value)
            case .pungiComposeID(let value): add("pungi_compose_id", value)
            case .composeType(let value): add("compose_type", value)
            case .label(let value): add("label", value)
            }
        }
        return conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    /// `SELECT <columns> FROM composes <filters> ORDER BY ... LIMIT ... OFFSET ...`: one page.
    /// `columns` may append binds of its own (after the filters').
    static func page(_ query: ComposeListQuery, columns: (inout PostgresBindings) -> String) -> PostgresQuery {
        var binds = PostgresBindings()
        let filter = whereClause(query, binds: &binds)
        let selected = columns(&binds)
        binds.append(query.perPage)
        let limit = binds.count
        binds.append(query.offset)
        let offset = binds.count
        return PostgresQuery(
            unsafeSQL: "SELECT \(selected) FROM composes\(filter) ORDER BY \(order(query)) LIMIT $\(limit) OFFSET $\(offset)",
            binds: binds)
    }

    static func composeSelectPage(_ query: ComposeListQuery) -> PostgresQuery {
        page(query) { _ in ComposeColumns.list }
    }

    /// The total: from the per-(source type, state) counts when the filters are only those
    /// (migration 6), from the per-(source type, state, compose type) counts when they are
    /// those with a compose type (migration 12), else an exact `count(*)` of the matching rows.
    static func composeCount(_ query: ComposeListQuery) -> PostgresQuery {
        var binds = PostgresBindings()
        let filter = whereClause(query, binds: &binds)
        var counts: String? = "compose_count_deltas"
        for filter in query.filters {
            switch filter {
            case .state, .sourceType: continue
            case .composeType where counts != nil: counts = "compose_type_count_deltas"
            default: counts = nil
            }
        }
        if let counts {
            return PostgresQuery(unsafeSQL: "SELECT coalesce(sum(delta), 0)::bigint FROM \(counts)\(filter)", binds: binds)
        }
        return PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM composes\(filter)", binds: binds)
    }
}

extension ComposeListSQL {
    /// The text columns whose length varies with the request (lists of packages, builds,
    /// modules ...): their sum estimates a row's decoded size. `octet_length` of a TOASTed
    /// value reads its header only, so this costs no detoasting.
    static let variableColumns = [
        "source", "packages", "builds", "state_reason", "modules", "lookaside_repos", "modular_koji_tags", "module_defaults_url",
        "arches", "multilib_arches", "sigkeys", "label", "scratch_modules", "scratch_build_tasks", "parent_pungi_compose_ids",
    ]

    static let sizeEstimate = variableColumns.map { "coalesce(octet_length(\($0)), 0)" }.joined(separator: " + ")

    /// The ORDER BY of a list page; id breaks ties so that pages never overlap or skip rows.
    /// The OFFSET from which a one-chunk page finds its ids before it reads its rows.
    static let deferredJoinOffset = 1000

    static func order(_ query: ComposeListQuery) -> String {
        let direction = query.descending ? "DESC" : "ASC"
        return query.orderBy == .id ? "id \(direction)" : "\(query.orderBy.rawValue) \(direction), id \(direction)"
    }

    /// A page in one statement when it fits one chunk (at most `maxRows` rows and `maxBytes`
    /// of estimated size, `overhead` per row): its rows with the list's columns
    /// (`pungi_config_dump` as NULL); no rows at all when it does not fit, and the caller,
    /// which knows the page is not empty, reads its ids and sizes (`composeSelectPageIDs`)
    /// to read it in chunks. The check is an InitPlan over the page's index scan: a small
    /// page costs one round trip, as a plain page query does.
    ///
    /// From `deferredJoinOffset` on, the page's ids are found first (`page`, an index-only scan
    /// where the filter's index has every column it needs) and only those rows are read: the
    /// rows skipped by OFFSET are then index entries, not heap rows with every column
    /// (issue 18: page 25,000 of a million composes read 500,000 rows). Same rows, same order.
    static func composeSelectPageIfOneChunk(_ query: ComposeListQuery, maxBytes: Int, maxRows: Int, overhead: Int)
        -> PostgresQuery
    {
        var binds = PostgresBindings()
        let filter = whereClause(query, binds: &binds)
        func bind(_ value: Int) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let (limit, offset) = (bind(query.perPage), bind(query.offset))
        let (rows, bytes, perRow) = (bind(maxRows), bind(maxBytes), bind(overhead))
        if query.offset >= deferredJoinOffset {
            return PostgresQuery(
                unsafeSQL: """
                    WITH page AS MATERIALIZED (
                        SELECT id FROM composes\(filter) ORDER BY \(order(query)) LIMIT \(limit) OFFSET \(offset))
                    SELECT \(ComposeColumns.listWithoutConfigDump) FROM composes
                    WHERE id IN (SELECT id FROM page)
                      AND (SELECT count(*) <= \(rows) AND coalesce(sum((\(sizeEstimate))::bigint + \(perRow)), 0) <= \(bytes)
                           FROM composes WHERE id IN (SELECT id FROM page))
                    ORDER BY \(order(query))
                    """,
                binds: binds)
        }
        let fits = """
            (SELECT count(*) <= \(rows) AND coalesce(sum(estimate + \(perRow)), 0) <= \(bytes) FROM (
                SELECT (\(sizeEstimate))::bigint AS estimate FROM composes\(filter)
                ORDER BY \(order(query)) LIMIT \(limit) OFFSET \(offset)) page)
            """
        let condition = filter.isEmpty ? " WHERE \(fits)" : "\(filter) AND \(fits)"
        return PostgresQuery(
            unsafeSQL: """
                SELECT \(ComposeColumns.listWithoutConfigDump) FROM composes\(condition)
                ORDER BY \(order(query)) LIMIT \(limit) OFFSET \(offset)
                """,
            binds: binds)
    }

    /// A page's ids in order with each row's estimated size: the plan of a streamed list.
    static func composeSelectPageIDs(_ query: ComposeListQuery) -> PostgresQuery {
        page(query) { _ in "id, (\(sizeEstimate))::bigint" }
    }

    /// The web view's page: only the columns its table shows, the long ones cut to `width`
    /// characters plus one (so that the caller can tell a cut value).
    static func composeSelectPageSummaries(_ query: ComposeListQuery, width: Int) -> PostgresQuery {
        page(query) { binds in
            binds.append(width + 1)
            let cut = "$\(binds.count)::integer"
            return "id, state, owner, source_type, left(source, \(cut)), time_submitted, time_to_expire, left(state_reason, \(cut))"
        }
    }
}
