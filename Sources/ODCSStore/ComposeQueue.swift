import Foundation
import Logging
import ODCSCore
import PostgresNIO

/// The work queue over `composes` (design §5): claims with `FOR UPDATE SKIP LOCKED`, fenced
/// heartbeats and finishes, the reuse decision, release on drain. Every method is one short
/// transaction; nothing is held open while a compose generates.
public struct ComposeQueue: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Claims up to `limit` waiting composes, oldest first, for `node`. With `clusterCap`,
    /// never lets more than that many composes be leased across the cluster.
    public func claim(node: String, limit: Int, deadlineSeconds: Int, clusterCap: Int? = nil) async throws -> [ClaimedCompose] {
        guard limit > 0 else { return [] }
        guard let cap = clusterCap else {
            var claims: [ClaimedCompose] = []
            let statement = ComposeClaimNext(node: node, limit: limit, deadlineSeconds: deadlineSeconds)
            for try await claim in try await client.execute(statement, logger: logger) { claims.append(claim) }
            return claims.sorted { $0.compose.id < $1.compose.id }
        }
        return try await client.transaction(logger: logger) { connection in
            try await connection.query(ComposeQueueSQL.advisoryLockClaimCap, logger: logger)
            var leased = 0
            for try await count in try await connection.query(ComposeQueueSQL.composeCountLeased, logger: logger).decode(Int.self) {
                leased = count
            }
            let room = min(limit, cap - leased)
            guard room > 0 else { return [] }
            var claims: [ClaimedCompose] = []
            let statement = ComposeClaimNext(node: node, limit: room, deadlineSeconds: deadlineSeconds)
            for try await claim in try await connection.execute(statement, logger: logger) { claims.append(claim) }
            return claims.sorted { $0.compose.id < $1.compose.id }
        }
    }

    static func decodeClaim(_ row: PostgresRow) throws -> ClaimedCompose {
        let compose = try ComposeColumns.decode(row)
        let cells = row.makeRandomAccess()
        let attempt = try cells[ComposeColumns.count].decode(Int.self)
        let token = try cells[ComposeColumns.count + 1].decode(UUID.self)
        let queued = try cells[ComposeColumns.count + 2].decode(Double.self)
        return ClaimedCompose(compose: compose, lease: Lease(composeID: compose.id, token: token, attempt: attempt), queuedSeconds: queued)
    }

    /// Refreshes all of a worker's leases at once; returns the ids whose lease is still held.
    public func heartbeat(_ leases: [Lease]) async throws -> Set<Int64> {
        guard !leases.isEmpty else { return [] }
        let statement = ComposeHeartbeat(ids: leases.map(\.composeID), tokens: leases.map(\.token))
        var held: Set<Int64> = []
        for try await id in try await client.execute(statement, logger: logger) { held.insert(id) }
        return held
    }

    /// Stores what `resolve` filled in and decides, under a per-key lock, whether the compose
    /// generates, reuses a done compose or follows a generating one (reference §6).
    /// `isReusable` runs the checks the key cannot (Koji's "tag changed since event"): it is
    /// called before the transaction, never while rows or locks are held (design §11), on
    /// the candidates then in view; a candidate that appears between the check and the lock
    /// sends the decision round again (three rounds, then unchecked candidates count as not
    /// reusable: the compose generates, which is never wrong). Throws `StoreError.leaseLost`
    /// when the lease is gone.
    public func decideReuse(
        _ lease: Lease, resolved compose: Compose, isReusable: @Sendable (Compose) async throws -> Bool
    ) async throws -> ReuseDecision {
        guard let key = ReuseKey(compose) else {
            // Never reused and never reusable: one fenced statement, no lock, no lookup.
            let statement = ComposeStartGeneratingUnkeyed(lease: lease, kojiEvent: compose.kojiEvent, source: compose.source)
            for try await _ in try await client.execute(statement, logger: logger) { return .generate }
            throw StoreError.leaseLost(lease.composeID)
        }
        var verdicts: [Int64: Bool] = [:]
        for round in 1...3 {
            let candidates = try await reuseCandidates(key, excluding: compose.id, on: nil)
            for candidate in candidates where ReuseKey.eventAllowsReuse(of: candidate, by: compose) {
                if verdicts[candidate.id] == nil { verdicts[candidate.id] = try await isReusable(candidate) }
                if verdicts[candidate.id] == true { break }
            }
            if let decision = try await decideReuse(lease, compose, key: key, verdicts: verdicts, lastRound: round == 3) {
                return decision
            }
        }
        throw StoreError.corruptRow("reuse decision did not settle")  // unreachable: the last round always decides
    }

    /// The reuse transaction: locks in id order, then decides from the verdicts; nil when a
    /// candidate without a verdict comes before the first reusable one (not in `lastRound`).
    private func decideReuse(
        _ lease: Lease, _ compose: Compose, key: ReuseKey, verdicts: [Int64: Bool], lastRound: Bool
    ) async throws -> ReuseDecision? {
        try await client.transaction(logger: logger) { connection in
            try await connection.query(ComposeQueueSQL.advisoryLockReuseKey(key), logger: logger)
            var held = false
            for try await id in try await connection.query(ComposeQueueSQL.composeLockForReuse(lease, key: key), logger: logger).decode(
                Int64.self)
            {
                if id == lease.composeID { held = true }
            }
            guard held else { throw StoreError.leaseLost(lease.composeID) }
            try await connection.query(
                ComposeQueueSQL.composeSetResolved(lease, kojiEvent: compose.kojiEvent, source: compose.source), logger: logger)

            let candidates = try await reuseCandidates(key, excluding: compose.id, on: connection)
            for candidate in candidates where ReuseKey.eventAllowsReuse(of: candidate, by: compose) {
                guard let reusable = verdicts[candidate.id] else {
                    if lastRound { continue }
                    return nil
                }
                guard reusable else { continue }
                try await connection.query(ComposeQueueSQL.composeReuse(lease, candidate: candidate), logger: logger)
                try await connection.query(
                    ComposeQueueSQL.composeRepointFollowers(from: compose.id, to: candidate.id), logger: logger)
                if candidate.state == .done {
                    // Followers handed over above take the done state at once.
                    try await connection.query(ComposeQueueSQL.composeSyncFollowers(of: candidate.id), logger: logger)
                    return .reusedDone(reusedID: candidate.id)
                }
                return .following(reusedID: candidate.id)
            }
            try await connection.query(ComposeQueueSQL.composeStartGenerating(lease, key: key), logger: logger)
            return .generate
        }
    }

    private func reuseCandidates(_ key: ReuseKey, excluding id: Int64, on connection: PostgresConnection?) async throws -> [Compose] {
        let query = ComposeQueueSQL.composeSelectReuseCandidates(hash: key, excluding: id)
        var candidates: [Compose] = []
        let rows: PostgresRowSequence
        if let connection {
            rows = try await connection.query(query, logger: logger)
        } else {
            rows = try await client.query(query, logger: logger)
        }
        for try await row in rows { candidates.append(try ComposeColumns.decode(row)) }
        return candidates
    }

    /// The fenced `done`: false when the lease was lost (the caller must then discard its
    /// work). Followers take the same state in the same transaction.
    public func finishDone(_ lease: Lease, pungiComposeID: String?, updates: ComposeDoneUpdates = .init()) async throws -> Bool {
        try await finish(.done(lease, pungiComposeID: pungiComposeID, updates: updates))
    }

    /// The fenced `failed`, with upstream's reason text already formed by the caller.
    public func finishFailed(_ lease: Lease, reason: String) async throws -> Bool {
        try await finish(.failed(lease, reason: reason))
    }

    private func finish(_ statement: ComposeFinish) async throws -> Bool {
        for try await (updated, _) in try await client.execute(statement, logger: logger) { return updated == 1 }
        return false
    }

    /// Hands an unfinished compose back to `wait` (graceful drain): another node claims it at
    /// once, and the attempt does not count.
    public func release(_ lease: Lease) async throws -> Bool {
        var updated = false
        for try await _ in try await client.query(ComposeQueueSQL.composeRelease(lease), logger: logger) { updated = true }
        return updated
    }
}

/// Fields a generation decides and `done` stores with the state (a pulp compose's arches,
/// sigkeys and, with `ignore_absent_pulp_repos`, its source); nil leaves a field as it was.
public struct ComposeDoneUpdates: Sendable, Equatable {
    public var source: String?
    public var arches: String?
    public var sigkeys: String?
    /// `pungi_config_dump`: the configuration Pungi ran with (raw_config), for respins.
    public var pungiConfigDump: String?

    public init(source: String? = nil, arches: String? = nil, sigkeys: String? = nil, pungiConfigDump: String? = nil) {
        self.source = source
        self.arches = arches
        self.sigkeys = sigkeys
        self.pungiConfigDump = pungiConfigDump
    }
}
