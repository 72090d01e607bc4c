import Foundation
import Logging
import ODCSCore
import PostgresNIO

/// One compose event of the outbox: the compose as it was when its state changed.
public struct OutboxEvent: Sendable, Equatable {
    /// Also the event id of `GET /api/1/events/` (`Last-Event-ID`).
    public var id: Int64
    public var compose: Compose
    public var createdAt: Date
    /// Backends that already confirmed it.
    public var delivered: [String]
    public var attempts: Int
}

/// What a publisher did with one claimed event.
public struct OutboxOutcome: Sendable, Equatable {
    public var id: Int64
    /// Every backend that has now confirmed the event (earlier ones included).
    public var delivered: [String]
    /// Set when a backend failed: the event is retried after `retryAfterSeconds`.
    public var error: String?
    public var retryAfterSeconds: Double

    public init(id: Int64, delivered: [String], error: String? = nil, retryAfterSeconds: Double = 0) {
        self.id = id
        self.delivered = delivered
        self.error = error
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// The outbox table (migration 4): claims for publishers, reads for the event stream,
/// pruning and gauges. Rows are written by a trigger on `composes`, never here.
public struct OutboxStore: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let composeColumns = ComposeColumns.list.split(separator: ",")
        .map { "c." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    static let eventColumns = "\(composeColumns), o.id, o.created_at, o.delivered, o.attempts"
    static let eventSource = "outbox o CROSS JOIN LATERAL jsonb_populate_record(NULL::composes, o.snapshot) c"

    static func decode(_ row: PostgresRow) throws -> OutboxEvent {
        let compose = try ComposeColumns.decode(row)
        let cells = row.makeRandomAccess()
        let base = ComposeColumns.count
        return OutboxEvent(
            id: try cells[base].decode(Int64.self), compose: compose, createdAt: try cells[base + 1].decode(Date.self),
            delivered: try cells[base + 2].decode([String].self), attempts: try cells[base + 3].decode(Int.self))
    }

    /// Claims the oldest unpublished event of up to `limit` composes (only the head of each
    /// compose, so that one compose's events are delivered in order even with many
    /// publishers), hands them to `deliver` while holding their row locks, and records the
    /// outcomes in the same transaction. The claim walks `outbox_unpublished_idx` in id order
    /// and asks, per row, whether it is its compose's head (a correlated subquery, planned on
    /// its own whatever the statistics say): its cost follows `limit`, not the backlog. A publisher that dies mid-way releases its locks with
    /// its connection; the events go to the next claim. Returns how many were claimed.
    @discardableResult
    public func publishBatch(
        limit: Int, deliver: @Sendable ([OutboxEvent]) async -> [OutboxOutcome]
    ) async throws -> Int {
        try await client.transaction(logger: logger) { connection in
            let claim: PostgresQuery = """
                SELECT \(unescaped: Self.eventColumns) FROM \(unescaped: Self.eventSource)
                WHERE o.published_at IS NULL AND o.next_attempt_at <= now()
                  AND o.id = (SELECT p.id FROM outbox p WHERE p.compose_id = o.compose_id AND p.published_at IS NULL
                              ORDER BY p.compose_id, p.id LIMIT 1)
                ORDER BY o.id LIMIT \(limit)
                FOR UPDATE OF o SKIP LOCKED
                """
            var events: [OutboxEvent] = []
            for try await row in try await connection.query(claim, logger: logger) { events.append(try Self.decode(row)) }
            guard !events.isEmpty else { return 0 }
            let outcomes = await deliver(events)
            guard !outcomes.isEmpty else { return events.count }
            let update: PostgresQuery = """
                UPDATE outbox o SET
                    delivered = string_to_array(u.delivered, ','),
                    published_at = CASE WHEN u.error = '' THEN now() END,
                    attempts = o.attempts + CASE WHEN u.error = '' THEN 0 ELSE 1 END,
                    next_attempt_at = CASE WHEN u.error = '' THEN o.next_attempt_at
                        ELSE now() + make_interval(secs => u.retry) END,
                    last_error = NULLIF(u.error, '')
                FROM unnest(\(outcomes.map(\.id))::bigint[], \(outcomes.map { $0.delivered.joined(separator: ",") })::text[],
                            \(outcomes.map { $0.error ?? "" })::text[], \(outcomes.map(\.retryAfterSeconds))::float8[])
                    AS u(id, delivered, error, retry)
                WHERE o.id = u.id
                """
            try await connection.query(update, logger: logger)
            return events.count
        }
    }

    /// Events after `afterID` in id order, of one compose or all: the event stream's page.
    public func events(after afterID: Int64, composeID: Int64? = nil, limit: Int = 100) async throws -> [OutboxEvent] {
        let query: PostgresQuery
        if let composeID {
            query = """
                SELECT \(unescaped: Self.eventColumns) FROM \(unescaped: Self.eventSource)
                WHERE o.compose_id = \(composeID) AND o.id > \(afterID) ORDER BY o.id LIMIT \(limit)
                """
        } else {
            query = """
                SELECT \(unescaped: Self.eventColumns) FROM \(unescaped: Self.eventSource)
                WHERE o.id > \(afterID) ORDER BY o.id LIMIT \(limit)
                """
        }
        var events: [OutboxEvent] = []
        for try await row in try await client.query(query, logger: logger) { events.append(try Self.decode(row)) }
        return events
    }

    /// The newest event id (0 when there is none): where a stream without `Last-Event-ID` starts.
    public func lastEventID() async throws -> Int64 {
        for try await id in try await client.query("SELECT coalesce(max(id), 0) FROM outbox", logger: logger).decode(Int64.self) {
            return id
        }
        return 0
    }

    /// Marks up to `limit` unpublished events published without reading them: a node with no
    /// event backend has nobody to deliver to, so order and content do not matter. Returns
    /// how many.
    @discardableResult
    public func markPublished(limit: Int) async throws -> Int {
        let query: PostgresQuery = """
            WITH batch AS (
                SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            UPDATE outbox o SET published_at = now() FROM batch WHERE o.id = batch.id RETURNING o.id
            """
        var count = 0
        for try await _ in try await client.query(query, logger: logger).decode(Int64.self) { count += 1 }
        return count
    }

    /// Deletes published events older than `seconds`; returns how many.
    @discardableResult
    public func prune(publishedBefore seconds: Int, limit: Int = 10_000) async throws -> Int {
        let query: PostgresQuery = """
            WITH old AS (
                SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => \(Double(seconds))) LIMIT \(limit))
            DELETE FROM outbox o USING old WHERE o.id = old.id RETURNING o.id
            """
        var count = 0
        for try await _ in try await client.query(query, logger: logger).decode(Int64.self) { count += 1 }
        return count
    }

    /// Unpublished events and the age in seconds of the oldest (0 when none).
    public func backlog() async throws -> (count: Int, oldestAgeSeconds: Double) {
        let query: PostgresQuery = """
            SELECT count(*)::bigint, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
            FROM outbox WHERE published_at IS NULL
            """
        for try await (count, age) in try await client.query(query, logger: logger).decode((Int64, Double).self) {
            return (Int(count), age)
        }
        return (0, 0)
    }
}
