import Foundation
import ODCSCore
import PostgresNIO

/// A request value as the INSERT sends it: in an array of its kind, one element per compose
/// of the batch (`ComposeInsert`).
enum InsertCell: Sendable {
    case text(String?)
    case integer(Int64?)

    var text: String? {
        guard case .text(let value) = self else { return nil }
        return value
    }

    var integer: Int64? {
        guard case .integer(let value) = self else { return nil }
        return value
    }

    enum Kind: Sendable {
        case text, integer

        var arrayType: String {
            switch self {
            case .text: "text[]"
            case .integer: "bigint[]"
            }
        }

        var psqlArrayType: PostgresDataType {
            switch self {
            case .text: .textArray
            case .integer: .int8Array
            }
        }
    }
}

/// A field type a request value can have.
protocol InsertableValue: Sendable {
    static var insertKind: InsertCell.Kind { get }
    static func insertCell(_ value: Self?) -> InsertCell
}

extension String: InsertableValue {
    static var insertKind: InsertCell.Kind { .text }
    static func insertCell(_ value: String?) -> InsertCell { .text(value) }
}

extension Int: InsertableValue {
    static var insertKind: InsertCell.Kind { .integer }
    static func insertCell(_ value: Int?) -> InsertCell { .integer(value.map(Int64.init)) }
}

extension Int64: InsertableValue {
    static var insertKind: InsertCell.Kind { .integer }
    static func insertCell(_ value: Int64?) -> InsertCell { .integer(value) }
}

/// One column of `composes`: its name, how a row's cell becomes part of a `Compose`, and how
/// an INSERT fills it from a `NewCompose`. The table below is the one place that pairs the
/// three; the select list, the decoder and the insert are all derived from it, so a column
/// added here is read and written everywhere at once.
struct ComposeColumn: Sendable {
    /// What an INSERT puts in the column.
    enum Insert: Sendable {
        /// Nothing: the column keeps its default (ids, times set by later transitions...).
        case omitted
        /// A value taken from the request, bound (in an array of its kind).
        case bound(InsertCell.Kind, @Sendable (NewCompose) -> InsertCell)
        /// The compose's first state, `wait`.
        case state
        /// SQL text computed by the database (`now()`); constant, never from a request.
        case databaseTime(String)
        /// `now()` plus the request's lifetime, bound as seconds (in a `float8[]`).
        case expiry
    }

    let name: String
    let read: @Sendable (PostgresCell, inout Compose) throws -> Void
    let insert: Insert

    /// A column stored as the field's own type, inserted from the same field of the request.
    static func field<Value: PostgresDecodable & InsertableValue>(
        _ name: String, _ field: WritableKeyPath<Compose, Value> & Sendable,
        inserted request: KeyPath<NewCompose, Value> & Sendable
    ) -> ComposeColumn {
        ComposeColumn(
            name: name, read: { cell, compose in compose[keyPath: field] = try cell.decode(Value.self) },
            insert: .bound(Value.insertKind) { Value.insertCell($0[keyPath: request]) })
    }

    /// A column stored as the field's own type that no INSERT sets.
    static func field<Value: PostgresDecodable & Sendable>(
        _ name: String, _ field: WritableKeyPath<Compose, Value> & Sendable
    ) -> ComposeColumn {
        ComposeColumn(name: name, read: { cell, compose in compose[keyPath: field] = try cell.decode(Value.self) }, insert: .omitted)
    }

    /// A nullable column, inserted from the same field of the request.
    static func optional<Value: PostgresDecodable & InsertableValue>(
        _ name: String, _ field: WritableKeyPath<Compose, Value?> & Sendable,
        inserted request: KeyPath<NewCompose, Value?> & Sendable
    ) -> ComposeColumn {
        ComposeColumn(
            name: name, read: { cell, compose in compose[keyPath: field] = cell.bytes == nil ? nil : try cell.decode(Value.self) },
            insert: .bound(Value.insertKind) { Value.insertCell($0[keyPath: request]) })
    }

    /// A nullable column that no INSERT sets (it is written by later transitions).
    static func optional<Value: PostgresDecodable & Sendable>(
        _ name: String, _ field: WritableKeyPath<Compose, Value?> & Sendable
    ) -> ComposeColumn {
        ComposeColumn(
            name: name, read: { cell, compose in compose[keyPath: field] = cell.bytes == nil ? nil : try cell.decode(Value.self) },
            insert: .omitted)
    }
}

/// The column table of `composes` and what is derived from it: the list every compose SELECT
/// and RETURNING uses, the decoder, and the INSERT.
enum ComposeColumns {
    static let all: [ComposeColumn] = [
        .field("id", \.id),
        .field("owner", \.owner, inserted: \.owner),
        ComposeColumn(
            name: "source_type",
            read: { cell, compose in
                let raw = try cell.decode(Int.self)
                guard let type = SourceType(rawValue: raw) else { throw StoreError.corruptRow("source_type of \(compose.id)") }
                compose.sourceType = type
            },
            insert: .bound(.integer) { .integer(Int64($0.sourceType.rawValue)) }),
        .field("source", \.source, inserted: \.source),
        .optional("modular_koji_tags", \.modularKojiTags, inserted: \.modularKojiTags),
        .optional("module_defaults_url", \.moduleDefaultsURL, inserted: \.moduleDefaultsURL),
        .optional("koji_event", \.kojiEvent, inserted: \.kojiEvent),
        .optional("sigkeys", \.sigkeys, inserted: \.sigkeys),
        ComposeColumn(
            name: "state",
            read: { cell, compose in
                let raw = try cell.decode(Int.self)
                guard let state = ComposeState(rawValue: raw) else { throw StoreError.corruptRow("state of \(compose.id)") }
                compose.state = state
            },
            insert: .state),
        .optional("state_reason", \.stateReason),
        ComposeColumn(
            name: "results", read: { cell, compose in compose.results = ComposeResults(rawValue: try cell.decode(Int.self)) },
            insert: .bound(.integer) { .integer(Int64($0.results.rawValue)) }),
        .optional("packages", \.packages, inserted: \.packages),
        .optional("builds", \.builds, inserted: \.builds),
        ComposeColumn(
            name: "flags", read: { cell, compose in compose.flags = ComposeFlags(rawValue: try cell.decode(Int?.self) ?? 0) },
            insert: .bound(.integer) { .integer(Int64($0.flags.rawValue)) }),
        ComposeColumn(
            name: "time_to_expire", read: { cell, compose in compose.timeToExpire = try cell.decode(Date.self) },
            insert: .expiry),
        ComposeColumn(
            name: "time_submitted", read: { cell, compose in compose.timeSubmitted = try cell.decode(Date.self) },
            insert: .databaseTime("now()")),
        .optional("time_started", \.timeStarted),
        .optional("time_done", \.timeDone),
        .optional("time_removed", \.timeRemoved),
        .optional("removed_by", \.removedBy),
        .optional("reused_id", \.reusedID),
        .optional("koji_task_id", \.kojiTaskID),
        .optional("arches", \.arches, inserted: \.arches),
        .optional("multilib_arches", \.multilibArches, inserted: \.multilibArches),
        .optional("multilib_method", \.multilibMethod, inserted: \.multilibMethod),
        .optional("lookaside_repos", \.lookasideRepos, inserted: \.lookasideRepos),
        .optional("label", \.label, inserted: \.label),
        .optional("compose_type", \.composeType, inserted: \.composeType),
        .optional("pungi_compose_id", \.pungiComposeID),
        .optional("pungi_config_dump", \.pungiConfigDump, inserted: \.pungiConfigDump),
        .optional("target_dir", \.targetDir, inserted: \.targetDir),
        .optional("scratch_modules", \.scratchModules, inserted: \.scratchModules),
        .optional("scratch_build_tasks", \.scratchBuildTasks, inserted: \.scratchBuildTasks),
        .optional("parent_pungi_compose_ids", \.parentPungiComposeIDs, inserted: \.parentPungiComposeIDs),
        .optional("modules", \.modules, inserted: \.modules),
        .optional("respin_of", \.respinOf, inserted: \.respinOf),
        .optional("base_module_br_name", \.baseModuleBrName, inserted: \.baseModuleBrName),
        .optional("base_module_br_stream", \.baseModuleBrStream, inserted: \.baseModuleBrStream),
        .optional(
            "base_module_br_stream_version_lte", \.baseModuleBrStreamVersionLte, inserted: \.baseModuleBrStreamVersionLte),
        .optional(
            "base_module_br_stream_version_gte", \.baseModuleBrStreamVersionGte, inserted: \.baseModuleBrStreamVersionGte),
    ]

    /// The column names, comma separated, in table order.
    static let list = all.map(\.name).joined(separator: ", ")

    /// The same list with `pungi_config_dump` read as NULL, for lists: their JSON leaves the
    /// dump out, and it may be the largest value of a row.
    static let listWithoutConfigDump = all.map { $0.name == "pungi_config_dump" ? "NULL::text" : $0.name }
        .joined(separator: ", ")

    /// The list qualified by a table name or alias, for UPDATE ... FROM ... RETURNING and joins.
    static func qualified(by table: String) -> String {
        all.map { "\(table).\($0.name)" }.joined(separator: ", ")
    }

    /// The list qualified by the table name.
    static let qualifiedList = qualified(by: "composes")

    /// How many columns `decode` reads; extra RETURNING columns start here.
    static let count = all.count

    static func decode(_ row: PostgresRow) throws -> Compose {
        let cells = row.makeRandomAccess()
        var compose = Compose(
            id: 0, owner: "", sourceType: .tag, source: "", state: .wait, results: [], flags: [],
            timeToExpire: .distantPast, timeSubmitted: .distantPast)
        for (index, column) in all.enumerated() { try column.read(cells[index], &compose) }
        return compose
    }

    /// `ComposeInsert`'s text, derived from the table: the owners in `$1`, then one array per
    /// bound column, then the lifetimes in seconds; `unnest` makes them rows, in order.
    static let insertSQL: String = {
        var names: [String] = []
        var selected: [String] = []
        var arrays: [String] = []
        var aliases: [String] = []
        for column in all {
            switch column.insert {
            case .omitted: continue
            case .bound(let kind, _):
                arrays.append("$\(arrays.count + 2)::\(kind.arrayType)")
                aliases.append(column.name)
                selected.append("r.\(column.name)")
            case .state: selected.append(ComposeState.wait.sql)
            case .databaseTime(let sql): selected.append(sql)
            case .expiry: selected.append("now() + make_interval(secs => r.seconds_to_live)")
            }
            names.append(column.name)
        }
        arrays.append("$\(arrays.count + 2)::float8[]")
        aliases.append("seconds_to_live")
        return """
            WITH owners AS (
                INSERT INTO users (username) SELECT unnest($1::text[]) ON CONFLICT (username) DO NOTHING),
            inserted AS (
                INSERT INTO composes (\(names.joined(separator: ", ")))
                SELECT \(selected.joined(separator: ", "))
                FROM unnest(\(arrays.joined(separator: ", "))) WITH ORDINALITY AS r(\(aliases.joined(separator: ", ")), ord)
                ORDER BY r.ord
                RETURNING \(list)),
            hint AS (SELECT pg_notify('\(NotifyChannel.wait.rawValue)', max(id)::text) AS sent FROM inserted)
            SELECT \(qualified(by: "inserted")) FROM inserted CROSS JOIN hint ORDER BY inserted.id
            """
    }()

    /// `ComposeInsert`'s bind types, in the order of `insertSQL`'s parameters.
    static let insertBindingTypes: [PostgresDataType] =
        [.textArray]
        + all.compactMap {
            guard case .bound(let kind, _) = $0.insert else { return nil }
            return kind.psqlArrayType
        } + [.float8Array]

    /// `ComposeInsert`'s binds for `composes`: the owners in name order (two concurrent
    /// statements with the same new owners then never deadlock), each bound column's values,
    /// the lifetimes.
    static func insertBindings(_ composes: [NewCompose]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: insertBindingTypes.count)
        binds.append(Set(composes.map(\.owner)).sorted())
        for column in all {
            guard case .bound(let kind, let cell) = column.insert else { continue }
            switch kind {
            case .text: binds.append(PostgresNullableArray(elements: composes.map { cell($0).text }))
            case .integer: binds.append(PostgresNullableArray(elements: composes.map { cell($0).integer }))
            }
        }
        binds.append(composes.map { Double($0.secondsToLive) })
        return binds
    }
}
