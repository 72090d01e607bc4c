import ODCSCore
import PostgresNIO

/// A prepared statement whose one bind is a `bigint[]` of compose ids.
protocol ComposeStatementByIDs: PostgresPreparedStatement {
    var ids: [Int64] { get }
}

extension ComposeStatementByIDs {
    static var bindingDataTypes: [PostgresDataType] { [.int8Array] }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids)
        return bindings
    }
}

/// A row's version: its `xmin`, the transaction that wrote this version of the row. Every
/// committed UPDATE gives the row a new one, so an unchanged version means an unchanged row
/// (`ComposeReader`'s rendered answers; the 32-bit counter wraps only after four billion
/// transactions, and the reader keeps nothing that long).
enum ComposeRowVersion {
    static let sql = "xmin::text::bigint"
}

/// The versions of the composes with these ids: `ComposeReader`'s batch, answered from its
/// rendered answers where a version is unchanged.
struct ComposeSelectVersionsByIDs: ComposeStatementByIDs {
    static let name = "ComposeSelectVersionsByIDs"
    static let sql = "SELECT id, \(ComposeRowVersion.sql) FROM composes WHERE id = ANY($1)"

    typealias Row = (Int64, Int64)

    var ids: [Int64]

    func decodeRow(_ row: PostgresRow) throws -> (Int64, Int64) {
        try row.decode((Int64, Int64).self)
    }
}

/// Several composes by id with their versions: the rows `ComposeReader` renders anew.
struct ComposeSelectVersionedByIDs: ComposeStatementByIDs {
    static let name = "ComposeSelectVersionedByIDs"
    static let sql = "SELECT \(ComposeColumns.list), \(ComposeRowVersion.sql) FROM composes WHERE id = ANY($1)"

    typealias Row = (Compose, Int64)

    var ids: [Int64]

    func decodeRow(_ row: PostgresRow) throws -> (Compose, Int64) {
        let version = try row.makeRandomAccess()[ComposeColumns.count].decode(Int64.self)
        return (try ComposeColumns.decode(row), version)
    }
}
