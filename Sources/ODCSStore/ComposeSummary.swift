import Foundation
import ODCSCore
import PostgresNIO

/// One row of the web view's compose table: the few columns it shows, with `source` and
/// `state_reason` cut to a width, so that a page of composes with megabytes of packages or
/// builds costs kilobytes.
public struct ComposeSummary: Sendable, Equatable {
    public var id: Int64
    public var state: ComposeState
    public var owner: String
    public var sourceType: SourceType
    /// At most `width` characters; `sourceIsCut` says whether there was more.
    public var source: String
    public var sourceIsCut: Bool
    public var timeSubmitted: Date
    public var timeToExpire: Date
    public var stateReason: String?
    public var stateReasonIsCut: Bool
}

extension ComposeStore {
    /// A page of summaries for the web view, and the query's total.
    public func listSummaries(_ query: ComposeListQuery, width: Int = 200) async throws -> (items: [ComposeSummary], total: Int) {
        let total = try await count(query)
        var items: [ComposeSummary] = []
        guard query.perPage > 0, query.offset < total else { return ([], total) }
        let rows = try await client.query(ComposeListSQL.composeSelectPageSummaries(query, width: width), logger: logger)
        for try await (id, state, owner, sourceType, source, submitted, expires, reason) in rows.decode(
            (Int64, Int, String, Int, String, Date, Date, String?).self)
        {
            guard let state = ComposeState(rawValue: state) else { throw StoreError.corruptRow("state of \(id)") }
            guard let sourceType = SourceType(rawValue: sourceType) else { throw StoreError.corruptRow("source_type of \(id)") }
            // PostgreSQL's left() counts characters as code points, so the cut here does too.
            func cut(_ text: String) -> String { String(String.UnicodeScalarView(text.unicodeScalars.prefix(width))) }
            items.append(
                ComposeSummary(
                    id: id, state: state, owner: owner, sourceType: sourceType, source: cut(source),
                    sourceIsCut: source.unicodeScalars.count > width, timeSubmitted: submitted, timeToExpire: expires,
                    stateReason: reason.map(cut), stateReasonIsCut: (reason?.unicodeScalars.count ?? 0) > width))
        }
        return (items, total)
    }
}
