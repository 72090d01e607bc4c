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
            let claim = OutboxSQL.outboxClaimHeads(limit: limit)
            var events: [OutboxEvent] = []
            for try await row in try await connection.query(claim, logger: logger) { events.append(try Self.decode(row)) }
            guard !events.isEmpty else { return 0 }
            let outcomes = await deliver(events)
            guard !outcomes.isEmpty else { return events.count }
            let update = OutboxSQL.outboxUpdateOutcomes(outcomes)
            try await connection.query(update, logger: logger)
            return events.count
        }
    }

    /// Events after `afterID` up to `lastID` in id order, of one compose or all: a resuming
    /// stream's catch-up page (never past what the node's reader has settled, `OutboxFrontier`).
    public func events(after afterID: Int64, upTo lastID: Int64 = .max, composeID: Int64? = nil, limit: Int = 100) async throws
        -> [OutboxEvent]
    {
        let query =
            composeID.map { OutboxSQL.outboxSelectAfterForCompose(afterID, upTo: lastID, composeID: $0, limit: limit) }
            ?? OutboxSQL.outboxSelectAfter(afterID, upTo: lastID, limit: limit)
        var events: [OutboxEvent] = []
        for try await row in try await client.query(query, logger: logger) { events.append(try Self.decode(row)) }
        return events
    }

    /// The node reader's page: events after `afterID` and the snapshot they were read in.
    public func streamPage(after afterID: Int64, limit: Int) async throws -> OutboxFrontier.Page<OutboxEvent> {
        var page = OutboxFrontier.Page<OutboxEvent>(events: [], snapshotXmin: 0, nextXid: 0)
        for try await row in try await client.execute(OutboxSelectStreamPage(afterID: afterID, limit: limit), logger: logger) {
            page.events.append(row.event)
            (page.snapshotXmin, page.nextXid) = (row.snapshotXmin, row.nextXid)
        }
        return page
    }

    /// The node reader's page while no stream is open: the ids of the events after
    /// `afterID` and the snapshot they were read in, without their composes.
    public func streamPageIDs(after afterID: Int64, limit: Int) async throws -> OutboxFrontier.Page<OutboxEventID> {
        var page = OutboxFrontier.Page<OutboxEventID>(events: [], snapshotXmin: 0, nextXid: 0)
        for try await row in try await client.execute(OutboxSelectStreamPageIDs(afterID: afterID, limit: limit), logger: logger) {
            page.events.append(OutboxEventID(id: row.id))
            (page.snapshotXmin, page.nextXid) = (row.snapshotXmin, row.nextXid)
        }
        return page
    }

    /// The newest event id (0 when there is none): where a stream without `Last-Event-ID` starts.
    public func lastEventID() async throws -> Int64 {
        for try await id in try await client.query(OutboxSQL.outboxSelectMaxID, logger: logger).decode(Int64.self) {
            return id
        }
        return 0
    }

    /// Marks up to `limit` unpublished events published without reading them: a node with no
    /// event backend has nobody to deliver to, so order and content do not matter. Returns
    /// how many.
    @discardableResult
    public func markPublished(limit: Int) async throws -> Int {
        let query = OutboxSQL.outboxMarkPublishedOldest(limit: limit)
        var count = 0
        for try await _ in try await client.query(query, logger: logger).decode(Int64.self) { count += 1 }
        return count
    }

    /// Deletes published events older than `seconds`; returns how many.
    @discardableResult
    public func prune(publishedBefore seconds: Int, limit: Int = 10_000) async throws -> Int {
        let query = OutboxSQL.outboxDeletePublishedBefore(seconds: seconds, limit: limit)
        var count = 0
        for try await _ in try await client.query(query, logger: logger).decode(Int64.self) { count += 1 }
        return count
    }

    /// Unpublished events and the age in seconds of the oldest (0 when none).
    public func backlog() async throws -> (count: Int, oldestAgeSeconds: Double) {
        let query = OutboxSQL.outboxSelectBacklog
        for try await (count, age) in try await client.query(query, logger: logger).decode((Int64, Double).self) {
            return (Int(count), age)
        }
        return (0, 0)
    }
}
