import ODCSCore
import ODCSTesting
import PostgresNIO
import Testing

@testable import ODCSStore

/// The list's `source` filter compares `source_prefix` (the first 256 characters, migration
/// 13) and, for a value of 256 characters or more, the whole `source`: its page and its total
/// must be exactly those of `source = value`, around the boundary and in characters as
/// PostgreSQL counts them (code points), not in bytes or in Swift's grapheme clusters.
@Suite struct SourceFilterTests {
    @Test func pageAndTotalAreThoseOfAnExactMatchAroundThePrefixLength() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            // "e" + a combining acute accent: one grapheme cluster, two code points, three bytes.
            let accented = "e\u{301}"
            let long = String(repeating: "a", count: 300)
            var sources: [String] = []
            for length in [1, 255, 256, 257, 300] { sources.append(String(long.prefix(length))) }
            // 255 and 256 code points that Swift counts as 128 characters.
            sources.append(String(repeating: accented, count: 127) + "x")
            sources.append(String(repeating: accented, count: 128))
            sources.append(String(repeating: accented, count: 128) + "tail")
            // Multi-byte code points: 255 of them are 765 bytes.
            sources.append(String(repeating: "€", count: 255))
            sources.append(String(repeating: "€", count: 256))
            sources.append(String(repeating: "€", count: 257))
            var ids: [String: [Int64]] = [:]
            for source in sources {
                for _ in 0..<2 {
                    let compose = try await factory.insert { $0.source = source }
                    ids[source, default: []].append(compose.id)
                }
            }
            let values = sources + [String(long.prefix(254)), String(repeating: accented, count: 127), String(repeating: "€", count: 258)]
            for value in values {
                var query = ComposeListQuery()
                query.filters = [.source(value)]
                let page = try await factory.store.list(query)
                let expected = (ids[value] ?? []).sorted(by: >)
                let described = "\(value.unicodeScalars.count) code points, \(value.utf8.count) bytes"
                #expect(page.items.map(\.id) == expected, "\(described)")
                #expect(page.total == expected.count, "\(described)")
                query.filters.append(.state(ComposeState.wait.rawValue))
                #expect(try await factory.store.list(query).total == expected.count, "\(described), with a state")
                query.filters = [.source(value), .state(ComposeState.done.rawValue)]
                #expect(try await factory.store.list(query).total == 0, "\(described), done")
            }
        }
    }

    /// The total of a value shorter than the prefix is counted from the index alone: no row
    /// of the table is read (issue 18: the busiest source of a million composes).
    @Test func aShortValueIsCountedByAnIndexOnlyScan() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            for index in 0..<40 { try await factory.insert { $0.source = index % 4 == 0 ? "busy-tag" : "tag-\(index)" } }
            try await factory.execute("VACUUM (ANALYZE) composes")
            var query = ComposeListQuery()
            query.filters = [.source("busy-tag"), .state(ComposeState.wait.rawValue)]
            let count = ComposeListSQL.composeCount(query)
            let plan = try await client.withConnection { connection in
                // 40 rows are one page: without this the planner would rather read it.
                try await connection.query("SET enable_seqscan = off", logger: TestDatabase.logger)
                var lines: [String] = []
                let explain = PostgresQuery(unsafeSQL: "EXPLAIN (COSTS OFF) " + count.sql, binds: count.binds)
                for try await line in try await connection.query(explain, logger: TestDatabase.logger).decode(String.self) {
                    lines.append(line)
                }
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("Index Only Scan using composes_source_prefix_idx"), "\(plan)")
            #expect(try await factory.store.list(query).total == 10)
        }
    }
}
