import ODCSCore
import PostgresNIO

/// One chunk of a streamed list page: the composes with these ids, without their
/// `pungi_config_dump` (the list's JSON leaves it out).
struct ComposeSelectListRowsByIDs: PostgresPreparedStatement {
    static let name = "ComposeSelectListRowsByIDs"
    static let sql = "SELECT \(ComposeColumns.listWithoutConfigDump) FROM composes WHERE id = ANY($1)"
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
