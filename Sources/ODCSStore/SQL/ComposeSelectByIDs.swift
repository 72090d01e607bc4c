import ODCSCore
import PostgresNIO

/// Several composes by id in one statement: `ComposeReader`'s batch.
struct ComposeSelectByIDs: PostgresPreparedStatement {
    static let name = "ComposeSelectByIDs"
    static let sql = "SELECT \(ComposeColumns.list) FROM composes WHERE id = ANY($1)"
    static let bindingDataTypes: [PostgresDataType] = [.int8Array]

    typealias Row = Compose

    var ids: [Int64]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Compose {
        try ComposeColumns.decode(row)
    }
}
