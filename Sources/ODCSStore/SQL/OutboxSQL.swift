import ODCSCore
import PostgresNIO

/// Every statement on `outbox`, named `<Table><Verb><Qualifier>`. Values only as binds.
enum OutboxSQL {
    /// An event's compose snapshot as a row of `composes`, then the event's own columns.
    static let eventColumns = "\(ComposeColumns.qualified(by: "c")), o.id, o.created_at, o.delivered, o.attempts"
    static let eventSource = "outbox o CROSS JOIN LATERAL jsonb_populate_record(NULL::composes, o.snapshot) c"
    /// The xmin of the statement's snapshot and the next xid to be assigned, read after that
    /// snapshot was taken, as bigint (`OutboxFrontier`).
    ///
    /// Not the snapshot's xmax: that is the newest *completed* xid plus one, and a transaction
    /// running with a newer xid is above it. `age(xid)` in a transaction without an xid counts
    /// from the next xid (`ReadNextTransactionId`, read when first called, after the
    /// statement's snapshot), so xmax + age(xmax) is that next xid, in xmax's epoch.
    ///
    /// The columns read `s`, the row of `snapshotSource`: a statement that selects them joins
    /// it in its FROM (PostgreSQL folds it into the scan: the page stays an index scan).
    static let snapshotColumns = "s.xmin, s.xmax + age((s.xmax % 4294967296)::text::xid)"
    static let snapshotSource = """
        LATERAL (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,
                        pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax) s
        """

    /// The oldest unpublished event of up to `limit` composes, each its compose's head, locked.
    static func outboxClaimHeads(limit: Int) -> PostgresQuery {
        """
        SELECT \(unescaped: eventColumns) FROM \(unescaped: eventSource)
        WHERE o.published_at IS NULL AND o.next_attempt_at <= now()
          AND o.id = (SELECT p.id FROM outbox p WHERE p.compose_id = o.compose_id AND p.published_at IS NULL
                      ORDER BY p.compose_id, p.id LIMIT 1)
        ORDER BY o.id LIMIT \(limit)
        FOR UPDATE OF o SKIP LOCKED
        """
    }

    /// Records delivery outcomes: published, or the error and the next attempt's time.
    static func outboxUpdateOutcomes(_ outcomes: [OutboxOutcome]) -> PostgresQuery {
        """
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
    }

    static func outboxSelectAfter(_ afterID: Int64, upTo lastID: Int64, limit: Int) -> PostgresQuery {
        """
        SELECT \(unescaped: eventColumns) FROM \(unescaped: eventSource)
        WHERE o.id > \(afterID) AND o.id <= \(lastID) ORDER BY o.id LIMIT \(limit)
        """
    }

    static func outboxSelectAfterForCompose(_ afterID: Int64, upTo lastID: Int64, composeID: Int64, limit: Int) -> PostgresQuery {
        """
        SELECT \(unescaped: eventColumns) FROM \(unescaped: eventSource)
        WHERE o.compose_id = \(composeID) AND o.id > \(afterID) AND o.id <= \(lastID) ORDER BY o.id LIMIT \(limit)
        """
    }

    static let outboxSelectMaxID: PostgresQuery = "SELECT coalesce(max(id), 0) FROM outbox"

    static func outboxMarkPublishedOldest(limit: Int) -> PostgresQuery {
        """
        WITH batch AS (
            SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
        UPDATE outbox o SET published_at = now() FROM batch WHERE o.id = batch.id RETURNING o.id
        """
    }

    static func outboxDeletePublishedBefore(seconds: Int, limit: Int) -> PostgresQuery {
        """
        WITH old AS (
            SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => \(Double(seconds))) LIMIT \(limit))
        DELETE FROM outbox o USING old WHERE o.id = old.id RETURNING o.id
        """
    }

    static let outboxSelectBacklog: PostgresQuery = """
        SELECT count(*)::bigint, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
        FROM outbox WHERE published_at IS NULL
        """
}

/// The node's event reader's page (`EventHub`): events after `afterID`, each row with the
/// statement's snapshot's xmin and the next xid (`OutboxSQL.snapshotColumns`), which
/// `OutboxFrontier` needs to tell an id still being written from one that never will be.
/// Prepared: the reader runs it after every insert's notification, and parsing and planning
/// it each time cost PostgreSQL more than reading its rows (issue 18, under POST load).
struct OutboxSelectStreamPage: OutboxStreamPageStatement {
    static let name = "OutboxSelectStreamPage"
    static let sql = """
        SELECT \(OutboxSQL.eventColumns), \(OutboxSQL.snapshotColumns)
        FROM \(OutboxSQL.eventSource), \(OutboxSQL.snapshotSource)
        WHERE o.id > $1 ORDER BY o.id LIMIT $2
        """

    typealias Row = (event: OutboxEvent, snapshotXmin: Int64, nextXid: Int64)

    var afterID: Int64
    var limit: Int

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let cells = row.makeRandomAccess()
        return (
            try OutboxStore.decode(row), try cells[ComposeColumns.count + 4].decode(Int64.self),
            try cells[ComposeColumns.count + 5].decode(Int64.self)
        )
    }
}

/// A page of the node's event reader: two binds, the id to read after and the page's size.
protocol OutboxStreamPageStatement: PostgresPreparedStatement {
    var afterID: Int64 { get }
    var limit: Int { get }
}

extension OutboxStreamPageStatement {
    static var bindingDataTypes: [PostgresDataType] { [.int8, .int8] }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(afterID)
        bindings.append(Int64(limit))
        return bindings
    }
}

/// The reader's page while no event stream is open on the node: ids only, no compose to
/// rebuild from its snapshot (issue 18: under POST load that was most of the reader's cost).
struct OutboxSelectStreamPageIDs: OutboxStreamPageStatement {
    static let name = "OutboxSelectStreamPageIDs"
    static let sql = """
        SELECT o.id, \(OutboxSQL.snapshotColumns) FROM outbox o, \(OutboxSQL.snapshotSource)
        WHERE o.id > $1 ORDER BY o.id LIMIT $2
        """

    typealias Row = (id: Int64, snapshotXmin: Int64, nextXid: Int64)

    var afterID: Int64
    var limit: Int

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, xmin, nextXid) = try row.decode((Int64, Int64, Int64).self)
        return (id, xmin, nextXid)
    }
}
