import ODCSCore
import PostgresNIO

/// A list page read in bounded chunks, for a response that is written while it is read
/// (issue 14): first the page's ids with an estimate of each row's size, then the rows a
/// chunk at a time. No statement holds more than one chunk of rows in the node's memory, and
/// no connection or transaction is held while the caller writes a chunk to a slow client.
///
/// Each chunk is its own snapshot: a compose that changes while a page is written shows
/// the state its chunk read (every row is consistent in itself, as with separate GETs).
extension ComposeStore {
    /// How a page is cut into chunks.
    public struct ListChunking: Sendable, Equatable {
        /// Estimated bytes of one chunk's rows, at most; a larger row is a chunk on its own.
        public var maxBytes: Int
        /// Rows in one chunk, at most.
        public var maxRows: Int

        public init(maxBytes: Int = 2 << 20, maxRows: Int = 100) {
            self.maxBytes = max(1, maxBytes)
            self.maxRows = max(1, maxRows)
        }

        /// Cuts the page's rows, in order, into consecutive chunks of ids.
        public func chunks(_ rows: [(id: Int64, bytes: Int)]) -> [[Int64]] {
            var chunks: [[Int64]] = []
            var current: [Int64] = []
            var bytes = 0
            for row in rows {
                if !current.isEmpty, current.count >= maxRows || bytes + row.bytes > maxBytes {
                    chunks.append(current)
                    current = []
                    bytes = 0
                }
                current.append(row.id)
                bytes += row.bytes
            }
            if !current.isEmpty { chunks.append(current) }
            return chunks
        }
    }

    /// The total of a list query and its page: read whole when it fits one chunk (`rows`),
    /// else its ids, in page order, cut into chunks to read with `listedComposes`.
    public struct ListPlan: Sendable, Equatable {
        public var total: Int
        /// The whole page, already read; nil when it is to be read by `chunks`.
        public var rows: [Compose]?
        public var chunks: [[Int64]]

        public init(total: Int, rows: [Compose]? = nil, chunks: [[Int64]] = []) {
            self.total = total
            self.rows = rows
            self.chunks = chunks
        }
    }

    /// Fixed row overhead added to the estimate: the short columns, decoding and the object.
    static let rowOverheadBytes = 2048

    public func listPlan(_ query: ComposeListQuery, chunking: ListChunking = ListChunking()) async throws -> ListPlan {
        let total = try await count(query)
        guard query.perPage > 0, query.offset < total else { return ListPlan(total: total, rows: []) }
        // The page itself when it fits one chunk (the common, small page), in one statement.
        let whole = ComposeListSQL.composeSelectPageIfOneChunk(
            query, maxBytes: chunking.maxBytes, maxRows: chunking.maxRows, overhead: Self.rowOverheadBytes)
        var composes: [Compose] = []
        for try await row in try await client.query(whole, logger: logger) { composes.append(try ComposeColumns.decode(row)) }
        guard composes.isEmpty else { return ListPlan(total: total, rows: composes) }
        // Too large for one chunk (or emptied since the count): its ids and sizes, to cut.
        var rows: [(id: Int64, bytes: Int)] = []
        rows.reserveCapacity(min(query.perPage, total))
        let result = try await client.query(ComposeListSQL.composeSelectPageIDs(query), logger: logger)
        for try await (id, bytes) in result.decode((Int64, Int).self) {
            rows.append((id, bytes + Self.rowOverheadBytes))
        }
        return ListPlan(total: total, chunks: chunking.chunks(rows))
    }

    /// The composes with these ids in this order, without `pungi_config_dump`; one removed
    /// from the table since the plan was made is left out.
    public func listedComposes(ids: [Int64]) async throws -> [Compose] {
        var found: [Int64: Compose] = [:]
        found.reserveCapacity(ids.count)
        for try await compose in try await client.execute(ComposeSelectListRowsByIDs(ids: ids), logger: logger) {
            found[compose.id] = compose
        }
        return ids.compactMap { found.removeValue(forKey: $0) }
    }

    /// `meta.total` of a list query.
    func count(_ query: ComposeListQuery) async throws -> Int {
        var total = 0
        for try await count in try await client.query(ComposeListSQL.composeCount(query), logger: logger).decode(Int.self) {
            total = count
        }
        return total
    }
}
