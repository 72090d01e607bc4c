import ODCSCore
import Testing

@Suite struct ComposeListQueryTests {
    func query(_ pairs: [(String, String)]) throws -> ComposeListQuery {
        try ComposeListQuery(items: pairs.map { (name: $0.0, value: $0.1) })
    }

    @Test func defaultsToNewestFirstTenPerPage() throws {
        let q = try query([])
        #expect(q.orderBy == .id && q.descending && q.page == 1 && q.perPage == 10)
    }

    @Test func forgivesBadPaging() throws {
        #expect(try query([("page", "abc"), ("per_page", "x")]).page == 1)
        #expect(try query([("per_page", "-1")]).perPage == 20)
        #expect(try query([("page", "-3")]).page == 1)
        #expect(try query([("per_page", "0")]).pages(total: 5) == 0)
        #expect(try query([("per_page", "2")]).pages(total: 5) == 3)
    }

    @Test func acceptsBothSpellingsOfSourceType() throws {
        #expect(try query([("order_by", "source_type")]).orderBy == .sourceType)
        #expect(try query([("order_by", "-source_Type")]).orderBy == .sourceType)
        #expect(try query([("order_by", "time_done")]).descending == false)
    }

    @Test func refusesUnknownOrderAndNonNumericStates() throws {
        #expect(throws: RequestError.self) { try query([("order_by", "foo")]) }
        // An empty key is an invalid one, as upstream has it; so is a lone "-".
        #expect(throws: RequestError.self) { try query([("order_by", "")]) }
        #expect(throws: RequestError.self) { try query([("order_by", "-")]) }
        #expect(throws: RequestError.self) { try query([("state", "wait")]) }
        #expect(throws: RequestError.self) { try query([("source_type", "repo")]) }
    }

    @Test func ignoresEmptyFilters() throws {
        #expect(try query([("owner", ""), ("state", "2")]).filters == [.state(2)])
    }
}

@Suite struct ComposeStateTests {
    @Test func allowsOnlyUpstreamTransitionsPlusRescue() {
        #expect(ComposeState.wait.canTransition(to: .generating))
        #expect(ComposeState.wait.canTransition(to: .failed))
        #expect(ComposeState.generating.canTransition(to: .done))
        #expect(ComposeState.generating.canTransition(to: .wait))
        #expect(ComposeState.done.canTransition(to: .removed))
        #expect(!ComposeState.removed.canTransition(to: .wait))
        #expect(!ComposeState.done.canTransition(to: .generating))
        #expect(!ComposeState.wait.canTransition(to: .done))
        #expect(ComposeState(name: "failed") == .failed && ComposeState(name: "nope") == nil)
    }
}
