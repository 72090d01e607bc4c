import Logging
import ODCSCore
import PostgresNIO

/// Reads and writes composes. Every method is one short transaction (or one statement);
/// none holds a transaction open across anything slow.
public struct ComposeStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts a new compose in `wait`, records its owner and wakes idle workers.
    public func insert(_ compose: NewCompose) async throws -> Compose {
        let inserted = try await insert(batch: [compose])
        return inserted[0]
    }

    public func compose(id: Int64) async throws -> Compose? {
        for try await compose in try await client.execute(ComposeSelectByID(id: id), logger: logger) { return compose }
        return nil
    }

    public struct Page: Sendable {
        public var items: [Compose]
        public var total: Int
    }

    /// A whole page in memory, `pungi_config_dump` included. The API does not use it for
    /// its lists (`listPlan` and `listedComposes` bound their memory); tests and tools do.
    public func list(_ query: ComposeListQuery) async throws -> Page {
        let total = try await count(query)
        var items: [Compose] = []
        if query.perPage > 0, query.offset < total {
            for try await row in try await client.query(ComposeListSQL.composeSelectPage(query), logger: logger) {
                items.append(try ComposeColumns.decode(row))
            }
        }
        return Page(items: items, total: total)
    }

    /// PATCH without changes: extends the expiry of the compose and of the composes sharing
    /// its files, then returns the compose as it now is.
    public func extendExpiry(id: Int64, secondsToLive: Int) async throws -> Compose {
        try await client.query(ComposeSQL.composeExtendExpiry(id, secondsToLive: secondsToLive), logger: logger)
        guard let compose = try await compose(id: id) else { throw StoreError.composeNotFound(id) }
        return compose
    }

    /// DELETE of a waiting compose. Throws `stateConflict` when it is no longer waiting.
    public func cancel(id: Int64, reason: String) async throws -> Compose {
        try await fencedUpdate(id: id, ComposeSQL.composeCancelIfWaiting(id, reason: reason))
    }

    /// DELETE of a done or failed compose: expire it now. Throws `stateConflict` otherwise.
    public func expireNow(id: Int64, removedBy: String) async throws -> Compose {
        try await fencedUpdate(id: id, ComposeSQL.composeExpireIfFinished(id, removedBy: removedBy))
    }

    private func fencedUpdate(id: Int64, _ query: PostgresQuery) async throws -> Compose {
        for try await row in try await client.query(query, logger: logger) { return try ComposeColumns.decode(row) }
        guard let current = try await compose(id: id) else { throw StoreError.composeNotFound(id) }
        throw StoreError.stateConflict(id: id, current: current.state.rawValue)
    }

    /// Reserves a productmd compose id for a compose about to run Pungi (migration 7): true
    /// when the compose now holds it (newly, or again on a later attempt), false when another
    /// compose has it. Concurrent reservations of one id from any nodes: exactly one wins.
    public func reservePungiComposeID(_ pungiComposeID: String, composeID: Int64) async throws -> Bool {
        let query = PungiComposeIDSQL.pungiComposeIDReserve(pungiComposeID, composeID: composeID)
        for try await _ in try await client.query(query, logger: logger) { return true }
        return false
    }

    /// Counts by (source type, state), for the upstream `composes_total` gauge.
    public func countsBySourceTypeAndState() async throws -> [(sourceType: Int, state: Int, count: Int)] {
        var result: [(Int, Int, Int)] = []
        let rows = try await client.query(ComposeSQL.composeCountBySourceTypeAndState, logger: logger)
        for try await (sourceType, state, count) in rows.decode((Int, Int, Int).self) {
            result.append((sourceType, state, count))
        }
        return result
    }

    /// raw_config composes by (source, state), for `raw_config_composes`.
    public func rawConfigCounts() async throws -> [(source: String, state: Int, count: Int)] {
        var result: [(String, Int, Int)] = []
        let rows = try await client.query(ComposeSQL.composeCountRawConfigBySourceAndState, logger: logger)
        for try await (source, state, count) in rows.decode((String, Int, Int).self) {
            result.append((source, state, count))
        }
        return result
    }

    /// Liveness of the database for `/readyz`.
    public func ping() async throws {
        try await client.query(HealthSQL.healthSelectOne, logger: logger)
    }
}

extension ComposeStore {
    /// A read coalescer over this store's pool, for `GET /api/1/composes/<id>`.
    public func makeReader(render: @escaping @Sendable (Compose) -> String) -> ComposeReader {
        ComposeReader(client: client, logger: logger, render: render)
    }

    /// The event outbox in this store's database.
    public var outbox: OutboxStore { OutboxStore(client: client, logger: logger) }

    /// The node registry in this store's database.
    public var nodes: NodeRegistry { NodeRegistry(client: client, logger: logger) }

    /// Every duty's current leader.
    public func leaderTerms() async throws -> [LeaderTerm] { try await LeaderStore.terms(client: client, logger: logger) }
}
