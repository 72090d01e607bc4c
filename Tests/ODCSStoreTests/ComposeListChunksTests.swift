import ODCSCore
import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// `ComposeStore.listPlan` and `listedComposes`: a list page read in bounded chunks is the
/// page a whole read gives; and the web view's summaries.
@Suite struct ComposeListChunksTests {
    @Test func chunksKeepThePageOrderWithinTheirByteAndRowBudgets() {
        let chunking = ComposeStore.ListChunking(maxBytes: 100, maxRows: 3)
        let rows: [(id: Int64, bytes: Int)] = [(9, 10), (4, 10), (7, 10), (3, 10), (8, 95), (2, 500), (1, 40), (6, 40), (5, 40)]
        #expect(chunking.chunks(rows) == [[9, 4, 7], [3], [8], [2], [1, 6], [5]])
        #expect(chunking.chunks([]) == [])
        #expect(ComposeStore.ListChunking(maxBytes: 0, maxRows: 0) == ComposeStore.ListChunking(maxBytes: 1, maxRows: 1))
    }

    @Test func chunkedReadsGiveThePageOfAWholeRead() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            for index in 0..<9 {
                try await factory.insert { compose in
                    compose.owner = index % 2 == 0 ? "alice" : "bob"
                    compose.packages = String(repeating: "pkg\(index) ", count: 50 * (index + 1))
                    compose.pungiConfigDump = "dump \(index)"
                }
            }
            let store = factory.store
            // Chunks of at most 2 rows or about 1 KiB: every page below needs several.
            let chunking = ComposeStore.ListChunking(maxBytes: 3000, maxRows: 2)
            let queries = [
                "", "per_page=4", "per_page=4&page=2", "per_page=4&page=3", "per_page=4&page=4", "owner=alice", "order_by=owner",
                "order_by=-owner&per_page=5", "per_page=0", "owner=nobody",
            ]
            for text in queries {
                let query = try ComposeListQuery(items: QueryItems.parse(text))
                let whole = try await store.list(query)
                let plan = try await store.listPlan(query, chunking: chunking)
                #expect(plan.total == whole.total, "\(text)")
                // A page that fits one chunk comes whole from the plan's own statement.
                #expect((plan.rows != nil) == (whole.items.count <= 2 && plan.chunks.isEmpty), "\(text)")
                var chunked: [Compose] = plan.rows ?? []
                for ids in plan.chunks {
                    #expect(ids.count <= 2)
                    chunked += try await store.listedComposes(ids: ids)
                }
                // Lists leave pungi_config_dump out of their JSON, so the chunks do not read it.
                #expect(chunked.allSatisfy { $0.pungiConfigDump == nil })
                let expected = whole.items.map { compose in
                    var compose = compose
                    compose.pungiConfigDump = nil
                    return compose
                }
                #expect(chunked == expected, "\(text)")
            }
        }
    }

    /// From `ComposeListSQL.deferredJoinOffset` (1,000) on, a page finds its ids before it
    /// reads its rows: the same rows in the same order as the plain page statement.
    @Test func deepPagesGiveThePageOfAWholeRead() async throws {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeStore(client: client, logger: TestDatabase.logger)
            let owners = ["alice", "bob", "carol"]
            for start in stride(from: 0, to: 1030, by: 103) {
                let batch = (start..<start + 103).map { index in
                    var compose = NewCompose(owner: owners[index % 3], sourceType: .build, source: "", secondsToLive: 3600 + index % 7)
                    compose.builds = "b\(index)-1.0-1"
                    compose.arches = "x86_64"
                    return compose
                }
                _ = try await store.insert(batch: batch)
            }
            let queries = [
                "per_page=10&page=101", "per_page=7&page=147", "per_page=10&page=103", "per_page=10&page=104",
                "order_by=owner&per_page=10&page=102", "order_by=-time_to_expire&per_page=9&page=113",
                "order_by=-id&per_page=3&page=343", "state=0&per_page=10&page=101", "owner=alice&per_page=10&page=101",
                "per_page=20&page=51",
            ]
            for maxRows in [100, 2] {
                let chunking = ComposeStore.ListChunking(maxBytes: 1 << 20, maxRows: maxRows)
                for text in queries {
                    let query = try ComposeListQuery(items: QueryItems.parse(text))
                    #expect(query.offset >= 1000, "\(text)")
                    let whole = try await store.list(query)
                    let plan = try await store.listPlan(query, chunking: chunking)
                    #expect(plan.total == whole.total, "\(text)")
                    var listed: [Compose] = plan.rows ?? []
                    for ids in plan.chunks { listed += try await store.listedComposes(ids: ids) }
                    let expected = whole.items.map { compose in
                        var compose = compose
                        compose.pungiConfigDump = nil
                        return compose
                    }
                    #expect(listed == expected, "\(text) maxRows \(maxRows)")
                    #expect((plan.rows != nil) == (whole.items.count <= maxRows), "\(text) maxRows \(maxRows)")
                }
            }
            // The pages are not all empty: the deep ones above hold rows.
            let deep = try await store.list(try ComposeListQuery(items: QueryItems.parse("per_page=10&page=101")))
            #expect(deep.items.count == 10 && deep.total == 1030)
        }
    }

    /// The common page costs one statement besides the total: it comes whole when it fits a
    /// chunk, and as ids to read in chunks only when it does not.
    @Test func aPageThatFitsOneChunkComesWholeFromOneStatement() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            for index in 0..<5 { try await factory.insert(builds: "b\(index)-1-1") }
            let big = try await factory.insert(builds: "big-1-1") { $0.packages = String(repeating: "p ", count: 4000) }
            let store = factory.store
            let chunking = ComposeStore.ListChunking(maxBytes: 7000, maxRows: 3)
            let small = try await store.listPlan(try ComposeListQuery(items: QueryItems.parse("per_page=2&page=2")), chunking: chunking)
            #expect(small.rows?.map(\.id) == [big.id - 2, big.id - 3] && small.chunks.isEmpty)
            let tooMany = try await store.listPlan(try ComposeListQuery(items: QueryItems.parse("per_page=5")), chunking: chunking)
            #expect(tooMany.rows == nil && tooMany.chunks == [[big.id], [big.id - 1, big.id - 2, big.id - 3], [big.id - 4]])
            let tooBig = try await store.listPlan(try ComposeListQuery(items: QueryItems.parse("per_page=2")), chunking: chunking)
            #expect(tooBig.rows == nil && tooBig.chunks == [[big.id], [big.id - 1]])
        }
    }

    @Test func listedComposesKeepTheOrderAskedAndLeaveOutMissingRows() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let first = try await factory.insert()
            let second = try await factory.insert()
            let ids = try await factory.store.listedComposes(ids: [second.id, 999_999, first.id]).map(\.id)
            #expect(ids == [second.id, first.id])
        }
    }

    @Test func summariesCutLongSourcesAndReasonsToTheirWidth() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let long = try await factory.insert(builds: "") {
                $0.sourceType = .tag
                $0.source = String(repeating: "é", count: 30)
            }
            try await factory.execute(
                "UPDATE composes SET state = 4, state_reason = \(String(repeating: "x", count: 12)) WHERE id = \(long.id)")
            let short = try await factory.insert(builds: "") {
                $0.sourceType = .tag
                $0.source = "f40"
            }
            var query = ComposeListQuery()
            query.perPage = 10
            let (items, total) = try await factory.store.listSummaries(query, width: 10)
            #expect(total == 2)
            #expect(items.map(\.id) == [short.id, long.id])
            #expect(items[0].source == "f40" && !items[0].sourceIsCut && items[0].stateReason == nil && !items[0].stateReasonIsCut)
            #expect(items[1].source == String(repeating: "é", count: 10) && items[1].sourceIsCut)
            #expect(items[1].stateReason == String(repeating: "x", count: 10) && items[1].stateReasonIsCut)
            #expect(items[1].state == .failed && items[1].owner == "tester" && items[1].sourceType == .tag)
        }
    }
}

/// `a=1&b=2` as query items (no percent-decoding: the tests' values need none).
enum QueryItems {
    static func parse(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }
}
