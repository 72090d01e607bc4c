import Foundation
import ODCSCore
import PostgresNIO

/// The statements of the sweeps over `composes`: lease rescue, upstream's periodic rules,
/// expiry and the orphan check. Leader-only ones are fenced by the duty's term.
enum ComposeSweepSQL {
    /// A generating compose whose heartbeat is stale goes back to `wait` with back-off while
    /// attempts remain, else fails naming the lost node; one whose deadline (2 × pungi_timeout,
    /// upstream's rule) passed fails with upstream's text. Never on elapsed time alone.
    static func composeRescueStale(leaseTimeoutSeconds: Int, maxAttempts: Int, backoffSeconds: Int, limit: Int) -> PostgresQuery {
        """
        WITH r AS (
            SELECT id, leased_by, attempt, deadline_at < now() AS overdue,
                   extract(epoch FROM deadline_at - time_started)::bigint AS allowed
            FROM composes
            WHERE \(unescaped: ComposeTransition.requeue.guardSQL()) AND lease_token IS NOT NULL
              AND (heartbeat_at < now() - make_interval(secs => \(Double(leaseTimeoutSeconds))) OR deadline_at < now())
            ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
        UPDATE composes c SET
            state = CASE WHEN NOT r.overdue AND r.attempt < \(maxAttempts) THEN \(unescaped: ComposeTransition.requeue.toSQL)
                ELSE \(unescaped: ComposeTransition.finishFailed.toSQL) END,
            state_reason = CASE
                WHEN r.overdue THEN 'Compose stuck in ''generating'' state for longer than ' || r.allowed || ' seconds.'
                WHEN r.attempt < \(maxAttempts) THEN NULL
                ELSE 'Compose generation was lost: node ' || coalesce(r.leased_by, '?')
                     || ' stopped heartbeating during attempt ' || r.attempt || ' of ' || \(maxAttempts) || '.' END,
            next_attempt_at = now() + make_interval(secs => \(Double(backoffSeconds)) * r.attempt),
            time_started = CASE WHEN NOT r.overdue AND r.attempt < \(maxAttempts) THEN NULL ELSE c.time_started END,
            time_to_expire = CASE WHEN NOT r.overdue AND r.attempt < \(maxAttempts) THEN c.time_to_expire
                ELSE now() + (c.time_to_expire - c.time_submitted) END,
            request_hash = NULL, lease_token = NULL, heartbeat_at = NULL, deadline_at = NULL
        FROM r WHERE c.id = r.id
        RETURNING c.id, c.state, r.leased_by, r.attempt, r.overdue
        """
    }

    /// Upstream: a compose waiting more than 3 days fails.
    static func composeFailStuckWaiting(olderThanSeconds: Int, limit: Int) -> PostgresQuery {
        """
        WITH s AS (
            SELECT id FROM composes
            WHERE \(unescaped: ComposeTransition.cancel.guardSQL()) AND time_submitted < now() - make_interval(secs => \(Double(olderThanSeconds)))
            ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
        UPDATE composes c SET state = \(unescaped: ComposeTransition.cancel.toSQL), state_reason = 'Compose stuck in ''wait'' state for longer than 3 days.',
            time_to_expire = now() + (c.time_to_expire - c.time_submitted)
        FROM s WHERE c.id = s.id
        RETURNING c.id
        """
    }

    /// Expired done/failed composes, oldest expiry first. Read without locks: the volume is
    /// checked before `composeMarkRemoved` locks them (design §11).
    static func composeSelectExpired(limit: Int) -> PostgresQuery {
        """
        SELECT id, reused_id, target_dir, source_type, compose_type, pungi_compose_id
        FROM composes
        WHERE state IN \(unescaped: ComposeState.sqlList(.done, .failed)) AND time_to_expire < now()
        ORDER BY time_to_expire LIMIT \(limit)
        """
    }

    /// Phase 1 of removal: `removed` (out of the reuse index) with upstream's reason. Locks in
    /// id order and skips rows another node holds; checks again what may have changed since
    /// the candidates were read (the state; with `onlyExpired`, the expiry a PATCH extends).
    static func composeMarkRemoved(ids: [Int64], note: String?, onlyExpired: Bool) -> PostgresQuery {
        """
        WITH l AS MATERIALIZED (
            SELECT id FROM composes
            WHERE id = ANY(\(ids)::bigint[]) AND \(unescaped: ComposeTransition.remove.guardSQL())
              AND (NOT \(onlyExpired) OR time_to_expire < now())
            ORDER BY id FOR UPDATE SKIP LOCKED)
        UPDATE composes SET
            state = \(unescaped: ComposeTransition.remove.toSQL), time_removed = now(), request_hash = NULL,
            state_reason = CASE WHEN coalesce(state_reason, '') = '' THEN '' ELSE state_reason || E'\\n' END
                || coalesce(\(note)::text, CASE WHEN removed_by IS NOT NULL THEN 'Removed by ' || removed_by || '.'
                                                ELSE 'Compose is expired.' END)
        FROM l WHERE composes.id = l.id
        RETURNING composes.id
        """
    }

    /// Disk pressure: the oldest done composes that own files in one of the given target
    /// dirs (compared without trailing slashes; `includeNull`: a NULL target_dir, the default
    /// dir of rows older ODCS versions stored, counts too), never younger than the minimum age
    /// and never a raw_config compose (its line's newest is protected upstream).
    static func composeSelectOldestDone(minAgeSeconds: Int, targetDirs: [String], includeNull: Bool, limit: Int) -> PostgresQuery {
        """
        SELECT id, reused_id, target_dir, source_type, compose_type, pungi_compose_id
        FROM composes
        WHERE state = \(unescaped: ComposeState.done.sql) AND reused_id IS NULL AND source_type <> \(unescaped: SourceType.rawConfig.sql)
          AND time_done < now() - make_interval(secs => \(Double(minAgeSeconds)))
          AND (rtrim(target_dir, '/') = ANY(\(targetDirs)::text[]) OR (\(includeNull) AND target_dir IS NULL))
        ORDER BY time_done, id LIMIT \(limit)
        """
    }

    /// Composes reusing the given ones (their done followers are removed with them).
    static func composeMarkFollowersRemoved(of ids: [Int64], note: String) -> PostgresQuery {
        """
        UPDATE composes SET
            state = \(unescaped: ComposeTransition.remove.toSQL), time_removed = now(), request_hash = NULL,
            state_reason = CASE WHEN coalesce(state_reason, '') = '' THEN '' ELSE state_reason || E'\\n' END || \(note)
        WHERE reused_id = ANY(\(ids)::bigint[]) AND \(unescaped: ComposeTransition.remove.guardSQL())
        RETURNING id
        """
    }

    /// For the orphan sweep: which of these ids still own a directory (a row not removed).
    static func composeSelectLive(ids: [Int64]) -> PostgresQuery {
        "SELECT id, state, attempt FROM composes WHERE id = ANY(\(ids)::bigint[]) AND state <> \(unescaped: ComposeState.removed.sql)"
    }

    static let composeSelectOldestExpiredAge: PostgresQuery = """
        SELECT coalesce(extract(epoch FROM now() - min(time_to_expire)), 0)::float8
        FROM composes WHERE state IN \(unescaped: ComposeState.sqlList(.done, .failed)) AND time_to_expire < now()
        """
}
