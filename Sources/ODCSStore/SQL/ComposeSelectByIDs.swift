import ODCSCore
import PostgresNIO

/// A prepared statement that reads the composes whose ids are in its one `bigint[]` bind.
protocol ComposeRowsByIDs: PostgresPreparedStatement where Row == Compose {
    var ids: [Int64] { get }
}

extension ComposeRowsByIDs {
    static var bindingDataTypes: [PostgresDataType] { [.int8Array] }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Compose {
        try ComposeColumns.decode(row)
    }
}

/// Several composes by id in one statement: `ComposeReader`'s batch.
struct ComposeSelectByIDs: ComposeRowsByIDs {
    static let name = "ComposeSelectByIDs"
    static let sql = "SELECT \(ComposeColumns.list) FROM composes WHERE id = ANY($1)"

    var ids: [Int64]
}
