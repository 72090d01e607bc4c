import ODCSCore
import ODCSStore
import ODCSTesting
import PostgresNIO
import Synchronization
import Testing

/// The per-(source type, state) counts of migration 6 and the per-(source type, state, compose
/// type) counts of migration 12: the list's total and the state gauges read them instead of
/// counting rows, so they must equal the exact counts through inserts, every transition,
/// compaction, concurrent writers and the migration of existing rows.
@Suite struct ComposeCountsTests {
    /// Every filter the counts answer for: none, each state, each source type, and both.
    static let queries: [ComposeListQuery] = {
        var queries = [ComposeListQuery()]
        for state in 0...4 {
            var query = ComposeListQuery()
            query.filters = [.state(state)]
            queries.append(query)
            for type in [SourceType.build, .repo] {
                var both = ComposeListQuery()
                both.filters = [.sourceType(type.rawValue), .state(state)]
                queries.append(both)
            }
        }
        for type in [SourceType.build, .repo] {
            var query = ComposeListQuery()
            query.filters = [.sourceType(type.rawValue)]
            queries.append(query)
        }
        // Migration 12's: a compose type alone, with a state, with a source type, with both.
        for composeType in ["test", "nightly", "production"] {
            var query = ComposeListQuery()
            query.filters = [.composeType(composeType)]
            queries.append(query)
            for state in [0, 1, 2, 4] {
                var withState = query
                withState.filters.append(.state(state))
                queries.append(withState)
                var withBoth = withState
                withBoth.filters.append(.sourceType(SourceType.repo.rawValue))
                queries.append(withBoth)
            }
            var withType = query
            withType.filters.append(.sourceType(SourceType.build.rawValue))
            queries.append(withType)
        }
        return queries
    }()

    /// The exact count for `query`, the way the list counted before migration 6.
    static func exactCount(_ client: PostgresClient, _ query: ComposeListQuery) async throws -> Int {
        var sql = "SELECT count(*)::bigint FROM composes WHERE true"
        var binds = PostgresBindings()
        for filter in query.filters {
            switch filter {
            case .state(let state):
                binds.append(state)
                sql += " AND state = $\(binds.count)"
            case .sourceType(let type):
                binds.append(type)
                sql += " AND source_type = $\(binds.count)"
            case .composeType(let composeType):
                binds.append(composeType)
                sql += " AND compose_type = $\(binds.count)"
            default: Issue.record("unexpected filter \(filter)")
            }
        }
        for try await count in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: TestDatabase.logger)
            .decode(Int.self)
        {
            return count
        }
        return 0
    }

    static func expectTotalsExact(_ factory: ComposeFactory, _ step: String) async throws {
        for query in queries {
            let total = try await factory.store.list(query).total
            let exact = try await exactCount(factory.client, query)
            #expect(total == exact, "\(step): \(query.filters)")
        }
        // The composes_total gauge of /api/1/metrics/.
        var exactByKey: [String: Int] = [:]
        let rows = try await factory.client.query(
            "SELECT source_type, state, count(*)::bigint FROM composes GROUP BY source_type, state", logger: TestDatabase.logger)
        for try await (type, state, count) in rows.decode((Int, Int, Int).self) { exactByKey["\(type) \(state)"] = count }
        let gauge = try await factory.store.countsBySourceTypeAndState()
        #expect(Dictionary(uniqueKeysWithValues: gauge.map { ("\($0.sourceType) \($0.state)", $0.count) }) == exactByKey, "\(step)")
        let byState = try await factory.sweeps.countsByState()
        for state in ComposeState.allCases {
            var query = ComposeListQuery()
            query.filters = [.state(state.rawValue)]
            #expect(byState[state] ?? 0 == (try await exactCount(factory.client, query)), "\(step): gauge \(state)")
        }
    }

    static func insertMix(_ factory: ComposeFactory, count: Int) async throws -> [Int64] {
        var ids: [Int64] = []
        for index in 0..<count {
            let compose = try await factory.insert { request in
                if index % 3 == 0 {
                    request.sourceType = .repo
                    request.source = "/srv/repo-\(index)"
                }
                // Compose types test, nightly, production and none, in turns.
                request.composeType = [nil, "test", "nightly", "production"][index % 4]
            }
            ids.append(compose.id)
        }
        return ids
    }

    @Test func totalsEqualExactCountsThroughEveryTransition() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let ids = try await Self.insertMix(factory, count: 12)
            try await Self.expectTotalsExact(factory, "inserted")

            let claims = try await factory.queue.claim(node: "counter", limit: 8, deadlineSeconds: 600)
            #expect(claims.count == 8)
            try await Self.expectTotalsExact(factory, "claimed")
            for (index, claim) in claims.enumerated() {
                if index % 2 == 0 {
                    _ = try await factory.queue.finishDone(claim.lease, pungiComposeID: "odcs-\(claim.compose.id)-1-20261127.t.0")
                } else {
                    _ = try await factory.queue.finishFailed(claim.lease, reason: "test")
                }
            }
            try await Self.expectTotalsExact(factory, "finished")
            let waiting = ids.filter { id in !claims.contains { $0.compose.id == id } }
            _ = try await factory.store.cancel(id: waiting[0], reason: "cancelled")
            _ = try await factory.store.expireNow(id: claims[0].compose.id, removedBy: "tester")
            try await Self.expectTotalsExact(factory, "cancelled and expired")

            #expect(try await factory.sweeps.compactCounts() > 0)
            try await Self.expectTotalsExact(factory, "compacted")
            // One row per key is left in each table, and compacting again folds nothing new.
            let keys = try await Self.rows(client, "SELECT count(DISTINCT (source_type, state))::bigint FROM composes")
            let typedKeys = try await Self.rows(
                client, "SELECT count(DISTINCT (source_type, state, compose_type))::bigint FROM composes")
            #expect(try await Self.rows(client, "SELECT count(*)::bigint FROM compose_count_deltas") <= keys)
            #expect(try await Self.rows(client, "SELECT count(*)::bigint FROM compose_type_count_deltas") <= typedKeys)
            #expect(try await factory.sweeps.compactCounts() <= keys + typedKeys)
            try await Self.expectTotalsExact(factory, "compacted twice")
        }
    }

    /// Migration 11: one INSERT of many composes is counted by one statement trigger, as the
    /// row trigger counted them one by one; deletes keep their row trigger.
    @Test func aBatchInsertIsCountedPerSourceTypeAndStateAndDeletesStillCount() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let batch = (0..<9).map { index in
                var request = NewCompose(owner: "owner\(index % 2)", sourceType: .build, source: "", secondsToLive: 60)
                request.builds = "pkg\(index)-1.0-1"
                if index % 3 == 0 { (request.sourceType, request.source) = (.repo, "/srv/repo-\(index)") }
                return request
            }
            let inserted = try await factory.store.insert(batch: batch)
            #expect(inserted.count == 9)
            try await Self.expectTotalsExact(factory, "batch inserted")
            // One delta row per (source type, state) of the statement, not one per compose.
            #expect(try await Self.rows(client, "SELECT count(*)::bigint FROM compose_count_deltas") == 2)
            try await factory.execute("DELETE FROM composes WHERE id = \(inserted[0].id)")
            try await Self.expectTotalsExact(factory, "one deleted")
        }
    }

    @Test func compactionRacingWritersLosesNothing() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let writersDone = ManagedAtomicFlag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        _ = try await Self.insertMix(factory, count: 25)
                        _ = try await factory.queue.claim(node: "racer", limit: 5, deadlineSeconds: 600)
                    }
                }
                group.addTask {
                    // Two compactors at once, as two nodes could run them, until the writers end.
                    try await withThrowingTaskGroup(of: Void.self) { compactors in
                        for _ in 0..<2 {
                            compactors.addTask {
                                while !writersDone.isSet {
                                    try await factory.sweeps.compactCounts()
                                    await Task.yield()
                                }
                            }
                        }
                        try await compactors.waitForAll()
                    }
                }
                for _ in 0..<4 { try await group.next() }
                writersDone.set()
                try await group.waitForAll()
            }
            try await Self.expectTotalsExact(factory, "after the race")
            try await factory.sweeps.compactCounts()
            try await Self.expectTotalsExact(factory, "compacted after the race")
        }
    }

    @Test func theMigrationCountsTheComposesAlreadyThere() async throws {
        try await TestDatabase.withSchema(migrate: false) { client, _ in
            let before = Migration.all.filter { $0.version < 6 }
            try await Migrator(client: client, migrations: before, logger: TestDatabase.logger).migrate()
            let factory = ComposeFactory(client: client)
            _ = try await Self.insertMix(factory, count: 9)
            _ = try await factory.queue.claim(node: "old", limit: 2, deadlineSeconds: 600)
            try await Migrator(client: client, logger: TestDatabase.logger).migrate()
            try await Self.expectTotalsExact(factory, "migrated")
            _ = try await Self.insertMix(factory, count: 3)
            try await Self.expectTotalsExact(factory, "inserted after the migration")
        }
    }

    static func rows(_ client: PostgresClient, _ sql: String) async throws -> Int {
        for try await count in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self) {
            return count
        }
        return 0
    }
}

/// A flag one task sets and others poll.
final class ManagedAtomicFlag: Sendable {
    private let storage = Mutex(false)
    var isSet: Bool { storage.withLock { $0 } }
    func set() { storage.withLock { $0 = true } }
}
