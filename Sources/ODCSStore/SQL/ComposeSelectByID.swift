import ODCSCore
import PostgresNIO

/// `ComposeSelectByID` as a named prepared statement: the hottest query (GET of one compose)
/// is parsed and planned once per connection instead of on every request.
struct ComposeSelectByID: PostgresPreparedStatement {
    static let name = "ComposeSelectByID"
    static let sql = "SELECT \(ComposeColumns.list) FROM composes WHERE id = $1"
    static let bindingDataTypes: [PostgresDataType] = [.int8]

    typealias Row = Compose

    var id: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Compose {
        try ComposeColumns.decode(row)
    }
}
