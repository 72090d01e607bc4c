import Foundation
import ODCSCore
import ODCSTesting
import PostgresNIO
import Testing

@_spi(Testing) @testable import ODCSStore

/// Every statement of ODCSStore, run once against the migrated schema inside a transaction
/// that is rolled back: PostgreSQL parses, plans and executes each one with its real binds, so
/// a misspelt column, a wrong bind type or a stale statement fails here, not on a node. A
/// second test reads `Sources/ODCSStore/SQL/` and fails when a statement there is missing
/// from the catalog, or when its name does not follow `<Table><Verb><Qualifier>`.
@Suite struct StatementCatalogTests {
    /// One entry: the statement's name as its source spells it, and how to run it.
    struct Entry: Sendable {
        let name: String
        let run: @Sendable (PostgresConnection) async throws -> Void
    }

    static func query(_ name: String, _ make: @escaping @Sendable () throws -> PostgresQuery) -> Entry {
        Entry(name: name) { connection in
            let rows = try await connection.query(try make(), logger: TestDatabase.logger)
            for try await _ in rows {}
        }
    }

    static func prepared<S: PostgresPreparedStatement & Sendable>(_ statement: S) -> Entry {
        Entry(name: S.name) { connection in
            for try await _ in try await connection.execute(statement, logger: TestDatabase.logger) {}
        }
    }

    static var sampleRequest: NewCompose {
        var request = NewCompose(owner: "catalog", sourceType: .tag, source: "f40-build", secondsToLive: 3600)
        request.packages = "bash"
        request.arches = "x86_64"
        request.label = "catalog"
        return request
    }

    static var sampleCompose: Compose {
        var compose = Compose(
            id: 1, owner: "catalog", sourceType: .tag, source: "f40-build", state: .done, results: .repository, flags: [],
            timeToExpire: Date(), timeSubmitted: Date())
        compose.arches = "x86_64"
        return compose
    }

    static var listQuery: ComposeListQuery {
        get throws {
            try ComposeListQuery(items: [
                ("owner", "catalog"), ("source_type", "1"), ("source", "f40-build"), ("state", "2"), ("label", "catalog"),
                ("compose_type", "test"), ("koji_task_id", "1"), ("pungi_compose_id", "x-1"), ("order_by", "-time_submitted"),
                ("per_page", "5"), ("page", "2"),
            ])
        }
    }

    static let lease = Lease(composeID: 1, token: UUID(), attempt: 1)

    static var entries: [Entry] {
        let key = ReuseKey(sampleCompose)!
        let lease = Self.lease
        return [
            // ComposeSQL, UserSQL, PungiComposeIDSQL, HealthSQL
            query("composeExtendExpiry") { ComposeSQL.composeExtendExpiry(1, secondsToLive: 60) },
            query("composeCancelIfWaiting") { ComposeSQL.composeCancelIfWaiting(1, reason: "catalog") },
            query("composeExpireIfFinished") { ComposeSQL.composeExpireIfFinished(1, removedBy: "catalog") },
            query("composeCountBySourceTypeAndState") { ComposeSQL.composeCountBySourceTypeAndState },
            query("composeCountByState") { ComposeSQL.composeCountByState },
            query("composeCountDeltasCompact") { ComposeSQL.composeCountDeltasCompact },
            query("composeCountTypeDeltasCompact") { ComposeSQL.composeCountTypeDeltasCompact },
            query("composeSelectDeadTuples") { ComposeSQL.composeSelectDeadTuples },
            query("composeCountRawConfigBySourceAndState") { ComposeSQL.composeCountRawConfigBySourceAndState },
            query("pungiComposeIDReserve") { PungiComposeIDSQL.pungiComposeIDReserve("x-1", composeID: 1) },
            query("healthSelectOne") { HealthSQL.healthSelectOne },
            // ComposeTestingSQL
            query("composeOverwriteState") {
                ComposeTestingSQL.composeOverwriteState(
                    id: 1, state: .done, reason: nil, reusedID: nil, pungiComposeID: nil, expiresInSeconds: 60)
            },
            query("composeSelectContentDigest") { ComposeTestingSQL.composeSelectContentDigest },
            // ComposeListSQL
            query("composeSelectPage") { ComposeListSQL.composeSelectPage(try listQuery) },
            query("composeCount") { ComposeListSQL.composeCount(try listQuery) },
            query("composeSelectPageIfOneChunk") {
                ComposeListSQL.composeSelectPageIfOneChunk(try listQuery, maxBytes: 1 << 20, maxRows: 100, overhead: 64)
            },
            query("composeSelectPageIDs") { ComposeListSQL.composeSelectPageIDs(try listQuery) },
            query("composeSelectPageSummaries") { ComposeListSQL.composeSelectPageSummaries(try listQuery, width: 80) },
            // Prepared statements
            prepared(ComposeSelectByID(id: 1)),
            prepared(ComposeInsert(composes: [sampleRequest, sampleRequest])),
            prepared(ComposeSelectVersionsByIDs(ids: [1, 2])),
            prepared(ComposeSelectVersionedByIDs(ids: [1, 2])),
            prepared(ComposeSelectListRowsByIDs(ids: [1, 2])),
            prepared(OutboxSelectStreamPage(afterID: 0, limit: 10)),
            prepared(OutboxSelectStreamPageIDs(afterID: 0, limit: 10)),
            prepared(ComposeClaimNext(node: "catalog", limit: 1, deadlineSeconds: 60)),
            prepared(ComposeFinish.done(lease, pungiComposeID: "x-1", updates: ComposeDoneUpdates())),
            prepared(ComposeFinish.failed(lease, reason: "catalog")),
            prepared(ComposeHeartbeat(ids: [1], tokens: [lease.token])),
            prepared(ComposeStartGeneratingUnkeyed(lease: lease, kojiEvent: 1, source: "f40-build")),
            // ComposeQueueSQL
            query("composeCountLeased") { ComposeQueueSQL.composeCountLeased },
            query("advisoryLockClaimCap") { ComposeQueueSQL.advisoryLockClaimCap },
            query("advisoryLockReuseKey") { ComposeQueueSQL.advisoryLockReuseKey(key) },
            query("composeLockForReuse") { ComposeQueueSQL.composeLockForReuse(lease, key: key) },
            query("composeSelectReuseCandidates") { ComposeQueueSQL.composeSelectReuseCandidates(hash: key, excluding: 1) },
            query("composeSetResolved") { ComposeQueueSQL.composeSetResolved(lease, kojiEvent: 1, source: "f40-build") },
            query("composeStartGenerating") { ComposeQueueSQL.composeStartGenerating(lease, key: key) },
            query("composeReuse") { ComposeQueueSQL.composeReuse(lease, candidate: sampleCompose) },
            query("composeRepointFollowers") { ComposeQueueSQL.composeRepointFollowers(from: 1, to: 2) },
            query("composeRelease") { ComposeQueueSQL.composeRelease(lease) },
            query("composeSyncFollowers") { ComposeQueueSQL.composeSyncFollowers(of: 1) },
            // ComposeSweepSQL
            query("composeRescueStale") {
                ComposeSweepSQL.composeRescueStale(leaseTimeoutSeconds: 60, maxAttempts: 3, backoffSeconds: 10, limit: 10)
            },
            query("composeFailStuckWaiting") { ComposeSweepSQL.composeFailStuckWaiting(olderThanSeconds: 60, limit: 10) },
            query("composeSelectExpired") { ComposeSweepSQL.composeSelectExpired(limit: 10) },
            query("composeMarkRemoved") { ComposeSweepSQL.composeMarkRemoved(ids: [1], note: "catalog", onlyExpired: true) },
            query("composeSelectOldestDone") {
                ComposeSweepSQL.composeSelectOldestDone(minAgeSeconds: 60, targetDirs: ["/srv/odcs"], includeNull: true, limit: 10)
            },
            query("composeMarkFollowersRemoved") { ComposeSweepSQL.composeMarkFollowersRemoved(of: [1], note: "catalog") },
            query("composeSelectLive") { ComposeSweepSQL.composeSelectLive(ids: [1]) },
            query("composeSelectOldestExpiredAge") { ComposeSweepSQL.composeSelectOldestExpiredAge },
            // OutboxSQL, KojiTagCacheSQL
            query("outboxClaimHeads") { OutboxSQL.outboxClaimHeads(limit: 10) },
            query("outboxUpdateOutcomes") {
                OutboxSQL.outboxUpdateOutcomes([OutboxOutcome(id: 1, delivered: ["amqp"]), OutboxOutcome(id: 2, delivered: [], error: "x")])
            },
            query("outboxSelectAfter") { OutboxSQL.outboxSelectAfter(0, upTo: 100, limit: 10) },
            query("outboxSelectAfterForCompose") { OutboxSQL.outboxSelectAfterForCompose(0, upTo: 100, composeID: 1, limit: 10) },
            query("outboxSelectMaxID") { OutboxSQL.outboxSelectMaxID },
            query("outboxMarkPublishedOldest") { OutboxSQL.outboxMarkPublishedOldest(limit: 10) },
            query("outboxDeletePublishedBefore") { OutboxSQL.outboxDeletePublishedBefore(seconds: 60, limit: 10) },
            query("outboxSelectBacklog") { OutboxSQL.outboxSelectBacklog },
            query("kojiTagCacheSelectByTag") { KojiTagCacheSQL.kojiTagCacheSelectByTag("f40-build") },
            query("kojiTagCacheUpsertNewest") { KojiTagCacheSQL.kojiTagCacheUpsertNewest(tag: "f40-build", event: 1) },
            // LeaderSQL, NodeSQL (a test lock, so that suites running beside this one are not disturbed)
            query("leaderTryLock") { LeaderSQL.leaderTryLock(.testing(key: 999_999)) },
            query("leaderHoldsLock") { LeaderSQL.leaderHoldsLock(.testing(key: 999_999)) },
            query("leaderUnlock") { LeaderSQL.leaderUnlock(.testing(key: 999_999)) },
            query("leaderLimitIdleSession") { LeaderSQL.leaderLimitIdleSession(milliseconds: 9000) },
            query("leaderElect") { LeaderSQL.leaderElect(duty: "catalog", holder: "catalog") },
            query("leaderRenew") { LeaderSQL.leaderRenew(duty: "catalog", term: 1, holder: "catalog") },
            query("leaderCheckTerm") { LeaderSQL.leaderCheckTerm(duty: "catalog", term: 1, holder: "catalog") },
            query("leaderSelectAll") { LeaderSQL.leaderSelectAll },
            query("nodeUpsert") { NodeSQL.nodeUpsert(id: "catalog", host: "h", version: "v", workers: 1) },
            query("nodeTouch") { NodeSQL.nodeTouch(id: "catalog", state: "running") },
            query("nodeSelectAll") { NodeSQL.nodeSelectAll },
            query("nodeDeleteStale") { NodeSQL.nodeDeleteStale(olderThanSeconds: 60) },
            // VolumeSQL
            query("volumeSelectByName") { VolumeSQL.volumeSelectByName("default") },
            query("volumeInsertIfMissing") { VolumeSQL.volumeInsertIfMissing(name: "default", volumeID: "catalog") },
            // MigrationSQL
            query("migrationLockSchema") { MigrationSQL.migrationLockSchema(Migrator.lockKey) },
            query("migrationCreateTableIfMissing") { MigrationSQL.migrationCreateTableIfMissing },
            query("migrationSelectByVersion") { MigrationSQL.migrationSelectByVersion(1) },
            query("migrationInsert") { MigrationSQL.migrationInsert(Migration(version: 999_999, name: "catalog", sql: "")) },
            query("migrationSelectTableExists") { MigrationSQL.migrationSelectTableExists },
            query("migrationSelectCurrentVersion") { MigrationSQL.migrationSelectCurrentVersion },
        ]
    }

    @Test(.timeLimit(.minutes(2))) func everyStatementRunsAgainstTheMigratedSchema() async throws {
        try await TestDatabase.withSchema { client, _ in
            // Rows for the statements to find: a waiting compose, a done one, an outbox event.
            let store = ComposeStore(client: client, logger: TestDatabase.logger)
            _ = try await store.insert(Self.sampleRequest)
            _ = try await store.insert(Self.sampleRequest)
            for entry in Self.entries {
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: TestDatabase.logger)
                    do {
                        try await entry.run(connection)
                    } catch {
                        Issue.record("\(entry.name): \(String(reflecting: error))")
                    }
                    try await connection.query("ROLLBACK", logger: TestDatabase.logger)
                }
            }
        }
    }

    /// Statement names the sources of `SQL/` declare: `static func|let <name> ... PostgresQuery`
    /// and the prepared statements' types.
    static func declaredStatements() throws -> [String] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/ODCSStore/SQL")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
        let patterns = [
            #/static\s+func\s+(\w+)\([^{]*?\)\s*(?:throws\s*)?->\s*PostgresQuery/#,
            #/static\s+let\s+(\w+)\s*:\s*PostgresQuery/#,
        ]
        var names: [String] = []
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for pattern in patterns {
                for match in text.matches(of: pattern) { names.append(String(match.output.1)) }
            }
            for match in text.matches(of: #/static\s+let\s+name\s*=\s*"(\w+)"/#) { names.append(String(match.output.1)) }
        }
        // Builders that other statements are made of, not statements of their own.
        let builders: Set = ["page", "insert"]
        return names.filter { !builders.contains($0) }
    }

    /// The tables (and lock spaces) a statement's name may start with: `<Table><Verb><Qualifier>`.
    static let tables = [
        "compose", "user", "pungiComposeID", "health", "outbox", "kojiTagCache", "leader", "node", "migration", "volume",
        "advisoryLock",
    ]
    static let verbs = [
        "Insert", "Select", "Update", "Delete", "Upsert", "Count", "Lock", "Mark", "Claim", "Cancel", "Expire", "Extend", "Reserve",
        "Set", "Start", "Reuse", "Repoint", "Release", "Sync", "Rescue", "Fail", "Finish", "Heartbeat", "Overwrite", "Touch",
        "Try", "Unlock", "Holds", "Elect", "Renew", "Check", "Limit", "Create", "Notify",
    ]

    @Test func theCatalogHoldsEveryStatementOfTheSQLDirectoryUnderItsTablesName() throws {
        let declared = try Self.declaredStatements()
        #expect(declared.count > 50)
        let catalogued = Set(Self.entries.map(\.name))
        for name in declared {
            #expect(catalogued.contains(name), "\(name) is not in StatementCatalogTests.entries")
            let lowered = name.prefix(1).lowercased() + name.dropFirst()
            let table = Self.tables.filter { lowered.hasPrefix($0) }.max { $0.count < $1.count }
            let rest = table.map { String(lowered.dropFirst($0.count)) } ?? ""
            #expect(table != nil && Self.verbs.contains { rest.hasPrefix($0) }, "\(name) is not named <Table><Verb><Qualifier>")
        }
    }
}
