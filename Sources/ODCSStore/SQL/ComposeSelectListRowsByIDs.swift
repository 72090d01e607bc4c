import ODCSCore
import PostgresNIO

/// One chunk of a streamed list page: the composes with these ids, without their
/// `pungi_config_dump` (the list's JSON leaves it out).
struct ComposeSelectListRowsByIDs: ComposeStatementByIDs {
    static let name = "ComposeSelectListRowsByIDs"
    static let sql = "SELECT \(ComposeColumns.listWithoutConfigDump) FROM composes WHERE id = ANY($1)"

    typealias Row = Compose

    var ids: [Int64]

    func decodeRow(_ row: PostgresRow) throws -> Compose { try ComposeColumns.decode(row) }
}
