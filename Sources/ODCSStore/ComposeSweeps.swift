import Foundation
import Logging
import ODCSCore
import PostgresNIO

/// A compose the removal sweep took: enough to find and delete its files.
public struct RemovableCompose: Sendable, Equatable {
    public var id: Int64
    public var reusedID: Int64?
    public var targetDir: String?
    public var sourceType: Int
    public var composeType: String?
    public var pungiComposeID: String?

    /// A raw_config compose: its line's links are kept or removed with it.
    public var isRawConfig: Bool { sourceType == SourceType.rawConfig.rawValue }
}

/// One compose taken back by the lease rescue.
public struct RescuedCompose: Sendable, Equatable {
    public var id: Int64
    public var newState: ComposeState
    public var lostNode: String?
    public var attempt: Int
    /// True when the deadline passed (failed as stuck), false for a stale heartbeat.
    public var overdue: Bool

    public init(id: Int64, newState: ComposeState, lostNode: String?, attempt: Int, overdue: Bool) {
        self.id = id
        self.newState = newState
        self.lostNode = lostNode
        self.attempt = attempt
        self.overdue = overdue
    }
}

/// The sweeps over `composes`: lease rescue, upstream's periodic rules, expiry, disk
/// pressure and the orphan check. Batches are LIMITed; callers loop until a short batch.
public struct ComposeSweeps: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs `body` in a transaction that first checks `fence` (when given).
    func fenced<R: Sendable>(_ fence: LeaderFence?, _ body: @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        try await client.transaction(logger: logger) { connection in
            if let fence { try await LeaderStore.check(fence, on: connection, logger: logger) }
            return try await body(connection)
        }
    }

    public func rescueStale(
        leaseTimeoutSeconds: Int, maxAttempts: Int, backoffSeconds: Int, limit: Int, fence: LeaderFence?
    ) async throws -> [RescuedCompose] {
        let logger = logger
        return try await fenced(fence) { connection in
            var rescued: [RescuedCompose] = []
            let query = ComposeSweepSQL.composeRescueStale(
                leaseTimeoutSeconds: leaseTimeoutSeconds, maxAttempts: maxAttempts, backoffSeconds: backoffSeconds, limit: limit)
            for try await (id, state, node, attempt, overdue) in try await connection.query(query, logger: logger).decode(
                (Int64, Int, String?, Int, Bool).self)
            {
                rescued.append(
                    RescuedCompose(
                        id: id, newState: ComposeState(rawValue: state) ?? .failed, lostNode: node, attempt: attempt, overdue: overdue))
            }
            for compose in rescued where compose.newState == .failed {
                try await connection.query(ComposeQueueSQL.composeSyncFollowers(of: compose.id), logger: logger)
            }
            return rescued
        }
    }

    /// Upstream's `cleanup_generating_composes`: followers whose compose finished take its state.
    public func syncFollowers(fence: LeaderFence?) async throws -> Int {
        let logger = logger
        return try await fenced(fence) { connection in
            var count = 0
            for try await _ in try await connection.query(ComposeQueueSQL.composeSyncFollowers(of: nil), logger: logger) { count += 1 }
            return count
        }
    }

    /// Upstream's 3-day rule for `wait`.
    public func failStuckWaiting(olderThanSeconds: Int, limit: Int, fence: LeaderFence?) async throws -> [Int64] {
        let logger = logger
        return try await fenced(fence) { connection in
            var ids: [Int64] = []
            let query = ComposeSweepSQL.composeFailStuckWaiting(olderThanSeconds: olderThanSeconds, limit: limit)
            for try await id in try await connection.query(query, logger: logger).decode(Int64.self) { ids.append(id) }
            return ids
        }
    }

    /// Phase 1 of expiry: reads up to `limit` expired composes, keeps those `keep` says to keep
    /// (it looks at the volume: outside any transaction, design §11), marks the rest `removed`
    /// unless another node holds them or they are no longer expired (a PATCH in between).
    /// Returns the removed.
    public func removeExpired(limit: Int, keep: @Sendable (RemovableCompose) async -> Bool) async throws -> (
        removed: [RemovableCompose], kept: Int
    ) {
        try await markRemoved(ComposeSweepSQL.composeSelectExpired(limit: limit), note: nil, fence: nil, keep: keep)
    }

    /// Disk pressure: removes the oldest done composes of the given target dirs (one volume's;
    /// `includeNull` when the default dir is one of them) older than `minAgeSeconds`, with
    /// the given note as their reason. Any node may call it: rows another caller holds are
    /// skipped, so two callers never remove the same compose.
    public func removeOldestDone(
        minAgeSeconds: Int, targetDirs: [String], includeNull: Bool, limit: Int, note: String, fence: LeaderFence?
    ) async throws -> [RemovableCompose] {
        let select = ComposeSweepSQL.composeSelectOldestDone(
            minAgeSeconds: minAgeSeconds, targetDirs: targetDirs, includeNull: includeNull, limit: limit)
        return try await markRemoved(select, note: note, fence: fence, keep: { _ in false }).removed
    }

    private func markRemoved(
        _ select: PostgresQuery, note: String?, fence: LeaderFence?, keep: @Sendable (RemovableCompose) async -> Bool
    ) async throws -> (removed: [RemovableCompose], kept: Int) {
        var candidates: [RemovableCompose] = []
        let rows = try await client.query(select, logger: logger)
        for try await (id, reused, dir, type, composeType, pungiID) in rows.decode((Int64, Int64?, String?, Int, String?, String?).self) {
            candidates.append(
                RemovableCompose(
                    id: id, reusedID: reused, targetDir: dir, sourceType: type, composeType: composeType, pungiComposeID: pungiID))
        }
        var chosen: [RemovableCompose] = []
        for candidate in candidates where !(await keep(candidate)) { chosen.append(candidate) }
        let kept = candidates.count - chosen.count
        guard !chosen.isEmpty else { return ([], kept) }
        let logger = logger
        return try await fenced(fence) { [chosen] connection in
            var marked: Set<Int64> = []
            let query = ComposeSweepSQL.composeMarkRemoved(ids: chosen.map(\.id), note: note, onlyExpired: note == nil)
            for try await id in try await connection.query(query, logger: logger).decode(Int64.self) { marked.insert(id) }
            if let note, !marked.isEmpty {
                // Early removal takes the composes that share the files with it.
                try await connection.query(ComposeSweepSQL.composeMarkFollowersRemoved(of: Array(marked), note: note), logger: logger)
            }
            return (chosen.filter { marked.contains($0.id) }, kept)
        }
    }

    /// Of the given ids, those whose row exists and is not removed, with state and attempt.
    public func liveComposes(ids: [Int64]) async throws -> [Int64: (state: ComposeState, attempt: Int)] {
        guard !ids.isEmpty else { return [:] }
        var live: [Int64: (ComposeState, Int)] = [:]
        let rows = try await client.query(ComposeSweepSQL.composeSelectLive(ids: ids), logger: logger)
        for try await (id, state, attempt) in rows.decode((Int64, Int, Int).self) {
            live[id] = (ComposeState(rawValue: state) ?? .wait, attempt)
        }
        return live
    }

    /// Seconds the longest-expired compose has been waiting for removal (0: none).
    public func expiryLag() async throws -> Double {
        for try await lag in try await client.query(ComposeSweepSQL.composeSelectOldestExpiredAge, logger: logger).decode(Double.self) {
            return lag
        }
        return 0
    }
}

extension ComposeSweeps {
    /// Throws `notLeader` unless the fence is current; for duties whose work is on files.
    public func checkFence(_ fence: LeaderFence) async throws {
        try await fenced(fence) { _ in }
    }

    /// Cluster-wide counts by state, for the gauges duty (from the counts of migration 6).
    public func countsByState() async throws -> [ComposeState: Int] {
        var counts: [ComposeState: Int] = [:]
        let rows = try await client.query(ComposeSQL.composeCountByState, logger: logger)
        for try await (state, count) in rows.decode((Int, Int).self) {
            if let state = ComposeState(rawValue: state) { counts[state] = count }
        }
        return counts
    }

    /// Folds the count rows into one per key (migration 6's and 12's) and returns how many
    /// rows it folded. Safe from any node at any time: one statement deletes the rows it sees and
    /// inserts their sums, so a reader sees either the rows or their sums, never both, and a
    /// row appended meanwhile is left for the next time.
    @discardableResult
    public func compactCounts() async throws -> Int {
        var folded = 0
        for query in [ComposeSQL.composeCountDeltasCompact, ComposeSQL.composeCountTypeDeltasCompact] {
            for try await count in try await client.query(query, logger: logger).decode(Int.self) { folded += count }
        }
        return folded
    }

    /// Dead tuples of the queue table: the leading indicator of queue bloat.
    public func deadTuples() async throws -> Int {
        let query = ComposeSQL.composeSelectDeadTuples
        for try await count in try await client.query(query, logger: logger).decode(Int.self) { return count }
        return 0
    }
}
