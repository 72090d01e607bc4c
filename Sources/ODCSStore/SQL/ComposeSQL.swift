import ODCSCore
import PostgresNIO

/// Every statement on `composes`, named `<Table><Verb><Qualifier>`. Values only as binds;
/// the only text spliced in is from this file's own constants.
enum ComposeSQL {
    /// `max(tte, now + ttl)` for the compose, the one it reuses and the ones reusing it
    /// (one level, as upstream). Never shortens an expiry. Locks the rows in id order, as
    /// the queue's statements do (a compose's finish locks it and its followers).
    static func composeExtendExpiry(_ id: Int64, secondsToLive: Int) -> PostgresQuery {
        let ttl = Double(secondsToLive)
        return """
            WITH l AS MATERIALIZED (
                SELECT id FROM composes
                WHERE id = \(id)
                   OR reused_id = \(id)
                   OR id = (SELECT reused_id FROM composes WHERE id = \(id))
                ORDER BY id FOR NO KEY UPDATE)
            UPDATE composes
            SET time_to_expire = greatest(time_to_expire, now() + make_interval(secs => \(ttl)))
            FROM l WHERE composes.id = l.id
            """
    }

    /// wait → failed; the TTL restarts at the failure, as for any finished compose.
    static func composeCancelIfWaiting(_ id: Int64, reason: String) -> PostgresQuery {
        """
        UPDATE composes
        SET state = \(unescaped: ComposeTransition.cancel.toSQL), state_reason = \(reason),
            time_to_expire = now() + (time_to_expire - time_submitted)
        WHERE id = \(id) AND \(unescaped: ComposeTransition.cancel.guardSQL())
        RETURNING \(unescaped: ComposeColumns.list)
        """
    }

    /// An admin's DELETE: expire now; the removal sweep makes the `remove` transition.
    static func composeExpireIfFinished(_ id: Int64, removedBy: String) -> PostgresQuery {
        """
        UPDATE composes SET time_to_expire = now(), removed_by = \(removedBy)
        WHERE id = \(id) AND \(unescaped: ComposeTransition.remove.guardSQL())
        RETURNING \(unescaped: ComposeColumns.list)
        """
    }

    /// From the counts of migration 6, not the rows.
    static let composeCountBySourceTypeAndState: PostgresQuery = """
        SELECT source_type, state, sum(delta)::bigint FROM compose_count_deltas GROUP BY source_type, state HAVING sum(delta) <> 0
        """

    /// Cluster-wide counts by state (migration 6's rows).
    static let composeCountByState: PostgresQuery = """
        SELECT state, coalesce(sum(delta), 0)::bigint FROM compose_count_deltas GROUP BY state
        """

    /// Folds the count rows into one per (source type, state); returns how many it folded.
    static let composeCountDeltasCompact: PostgresQuery = """
        WITH gone AS (DELETE FROM compose_count_deltas RETURNING source_type, state, delta),
        kept AS (
            INSERT INTO compose_count_deltas (source_type, state, delta)
            SELECT source_type, state, sum(delta) FROM gone GROUP BY source_type, state HAVING sum(delta) <> 0
        )
        SELECT count(*)::bigint FROM gone
        """

    /// The same for migration 12's counts by (source type, state, compose type).
    static let composeCountTypeDeltasCompact: PostgresQuery = """
        WITH gone AS (DELETE FROM compose_type_count_deltas RETURNING source_type, state, compose_type, delta),
        kept AS (
            INSERT INTO compose_type_count_deltas (source_type, state, compose_type, delta)
            SELECT source_type, state, compose_type, sum(delta) FROM gone GROUP BY source_type, state, compose_type
            HAVING sum(delta) <> 0
        )
        SELECT count(*)::bigint FROM gone
        """

    /// Dead tuples of the queue table: the leading indicator of queue bloat.
    static let composeSelectDeadTuples: PostgresQuery = """
        SELECT coalesce(n_dead_tup, 0)::bigint FROM pg_stat_user_tables WHERE relid = 'composes'::regclass
        """

    static let composeCountRawConfigBySourceAndState: PostgresQuery = """
        SELECT source, state, count(*)::bigint FROM composes
        WHERE source_type = \(unescaped: SourceType.rawConfig.sql) GROUP BY source, state
        """
}

/// Statements on `pungi_compose_ids` (migration 7).
enum PungiComposeIDSQL {
    /// Holds `pungiComposeID` for `composeID` (newly, or again on a later attempt); returns a
    /// row only when this compose holds it.
    static func pungiComposeIDReserve(_ pungiComposeID: String, composeID: Int64) -> PostgresQuery {
        """
        INSERT INTO pungi_compose_ids (pungi_compose_id, compose_id) VALUES (\(pungiComposeID), \(composeID))
        ON CONFLICT (pungi_compose_id) DO UPDATE SET reserved_at = pungi_compose_ids.reserved_at
            WHERE pungi_compose_ids.compose_id = EXCLUDED.compose_id
        RETURNING compose_id
        """
    }
}

/// The database's liveness check.
public enum HealthSQL {
    public static let healthSelectOne: PostgresQuery = "SELECT 1"
}

/// POST's whole write in one statement, so one round trip and one commit (issue 18): the
/// owners recorded, the composes inserted in `wait` in the order given, and one hint for idle
/// workers (`NotifyChannel.wait`), sent at commit. Prepared once per connection, whatever the
/// batch's size: each column's values go in one array bind (`ComposeColumns.insertSQL`).
/// Returns the rows in id order, which is the order given.
struct ComposeInsert: PostgresPreparedStatement {
    static let name = "ComposeInsert"
    static let sql = ComposeColumns.insertSQL
    static let bindingDataTypes = ComposeColumns.insertBindingTypes

    typealias Row = Compose

    var composes: [NewCompose]

    func makeBindings() throws -> PostgresBindings { ComposeColumns.insertBindings(composes) }

    func decodeRow(_ row: PostgresRow) throws -> Compose { try ComposeColumns.decode(row) }
}
