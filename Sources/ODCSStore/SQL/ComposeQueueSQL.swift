import Foundation
import ODCSCore
import PostgresNIO

/// The statements of the work queue on `composes`: claim, heartbeat, reuse, finish, release.
/// Every write after a claim is fenced by `state = generating AND lease_token = $token`.
enum ComposeQueueSQL {
    /// The columns a claim returns after the compose columns: attempt, lease token, seconds
    /// between becoming claimable and the claim.
    static let claimExtra = "attempt, lease_token, extract(epoch FROM now() - greatest(time_submitted, next_attempt_at))::float8"

    /// The cluster-wide cap: leased composes across all nodes (followers hold no lease).
    static let composeCountLeased: PostgresQuery = """
        SELECT count(*)::bigint FROM composes WHERE state = \(unescaped: ComposeState.generating.sql) AND lease_token IS NOT NULL
        """

    static let advisoryLockClaimCap: PostgresQuery =
        "SELECT pg_advisory_xact_lock(\(AdvisoryLock.namespace), \(AdvisoryLock.claimCap.key))"

    /// Serialises reuse decisions per key, so that of N identical requests exactly one
    /// generates and the others find it.
    static func advisoryLockReuseKey(_ key: ReuseKey) -> PostgresQuery {
        "SELECT pg_advisory_xact_lock(hashtextextended(\(key.canonicalText), 3525))"
    }

    /// The reuse candidates of a key, in upstream's order: done newest first, then generating
    /// oldest first. Spliced into both statements below.
    static let reuseCandidateFilter = """
        state IN \(ComposeState.sqlList(.generating, .done)) AND reused_id IS NULL
        """
    static let reuseCandidateOrder = """
        ORDER BY state DESC, CASE WHEN state = \(ComposeState.done.sql) THEN -id ELSE id END LIMIT 50
        """

    /// Locks, in id order (design §11: one fixed order everywhere, as the heartbeat and the
    /// finish), the claimed row, the candidates of its key and its own followers, for the
    /// reuse transaction. A candidate locked here cannot finish until the decision commits,
    /// so that a new follower is always seen by the candidate's finish. The claimed row is
    /// among the ids only while its lease is held.
    static func composeLockForReuse(_ lease: Lease, key: ReuseKey) -> PostgresQuery {
        """
        SELECT id FROM composes
        WHERE id IN (
                SELECT \(lease.composeID)::bigint
                UNION ALL
                SELECT id FROM composes WHERE reused_id = \(lease.composeID) AND state = \(unescaped: ComposeState.generating.sql)
                UNION ALL
                (SELECT id FROM composes
                 WHERE request_hash = sha256(convert_to(\(key.canonicalText), 'UTF8')) AND \(unescaped: reuseCandidateFilter)
                   AND id <> \(lease.composeID)
                 \(unescaped: reuseCandidateOrder)))
          AND (id <> \(lease.composeID)
               OR (state = \(unescaped: ComposeState.generating.sql) AND lease_token = \(lease.token)))
        ORDER BY id
        FOR NO KEY UPDATE
        """
    }

    /// Candidates by key, in upstream's order. Read without locks before the reuse
    /// transaction (for the generator's checks, which may call Koji) and again inside it,
    /// after `composeLockForReuse`.
    static func composeSelectReuseCandidates(hash key: ReuseKey, excluding id: Int64) -> PostgresQuery {
        """
        SELECT \(unescaped: ComposeColumns.list) FROM composes
        WHERE request_hash = sha256(convert_to(\(key.canonicalText), 'UTF8')) AND \(unescaped: reuseCandidateFilter) AND id <> \(id)
        \(unescaped: reuseCandidateOrder)
        """
    }

    static func composeSetResolved(_ lease: Lease, kojiEvent: Int64?, source: String) -> PostgresQuery {
        """
        UPDATE composes SET koji_event = \(kojiEvent), source = \(source)
        WHERE id = \(lease.composeID) AND state = \(unescaped: ComposeState.generating.sql) AND lease_token = \(lease.token)
        """
    }

    /// No candidate: this compose generates, and becomes the candidate for its key.
    static func composeStartGenerating(_ lease: Lease, key: ReuseKey) -> PostgresQuery {
        """
        UPDATE composes SET state_reason = 'Compose is generating',
            request_hash = sha256(convert_to(\(key.canonicalText), 'UTF8'))
        WHERE id = \(lease.composeID) AND state = \(unescaped: ComposeState.generating.sql) AND lease_token = \(lease.token)
        """
    }

    /// Upstream's `reuse_compose`: both expiries become the later one; a done candidate makes
    /// this compose done at once (its TTL restarting now), a generating one is followed.
    static func composeReuse(_ lease: Lease, candidate: Compose) -> PostgresQuery {
        let isDone = candidate.state == .done
        return """
            WITH o AS (
                UPDATE composes SET time_to_expire = greatest(composes.time_to_expire, me.time_to_expire)
                FROM (SELECT time_to_expire FROM composes WHERE id = \(lease.composeID)) AS me
                WHERE composes.id = \(candidate.id)
                RETURNING composes.time_to_expire, composes.pungi_compose_id)
            UPDATE composes SET
                reused_id = \(candidate.id), pungi_compose_id = o.pungi_compose_id,
                lease_token = NULL, heartbeat_at = NULL, deadline_at = NULL,
                state = CASE WHEN \(isDone) THEN \(unescaped: ComposeTransition.finishDone.toSQL) ELSE composes.state END,
                state_reason = CASE WHEN \(isDone) THEN 'Compose is generated successfully' ELSE 'Compose thread started' END,
                time_done = CASE WHEN \(isDone) THEN now() ELSE NULL END,
                time_to_expire = CASE WHEN \(isDone)
                    THEN now() + (greatest(composes.time_to_expire, o.time_to_expire) - composes.time_submitted)
                    ELSE greatest(composes.time_to_expire, o.time_to_expire) END
            FROM o
            WHERE composes.id = \(lease.composeID) AND composes.state = \(unescaped: ComposeState.generating.sql)
              AND composes.lease_token = \(lease.token)
            RETURNING \(unescaped: ComposeColumns.qualifiedList)
            """
    }

    /// A compose that starts reusing another hands its own followers over, so that no
    /// follower ever points at a compose without files.
    static func composeRepointFollowers(from id: Int64, to target: Int64) -> PostgresQuery {
        "UPDATE composes SET reused_id = \(target) WHERE reused_id = \(id) AND state = \(unescaped: ComposeState.generating.sql)"
    }

    /// The tail of the finish statements: upstream's `transition` propagation to the
    /// generating composes that reuse `d`, then one row saying whether `d` was updated.
    static let followersOfFinished = """
        , f AS (
            UPDATE composes f SET
                state = d.state, state_reason = d.state_reason, pungi_compose_id = d.pungi_compose_id,
                time_done = d.time_done,
                time_to_expire = coalesce(d.time_done, now()) + (f.time_to_expire - f.time_submitted)
            FROM d
            WHERE d.request_hash IS NOT NULL AND f.reused_id = d.id AND f.state = \(ComposeState.generating.sql)
            RETURNING f.id)
        SELECT (SELECT count(*) FROM d)::bigint, (SELECT count(*) FROM f)::bigint
        """

    /// Graceful hand-back on drain: not an attempt, so the count goes back down.
    /// It wakes the idle workers of every node at once (as an insert does) instead of
    /// leaving the compose to their next poll.
    static func composeRelease(_ lease: Lease) -> PostgresQuery {
        """
        WITH r AS (
            UPDATE composes SET
                state = \(unescaped: ComposeTransition.requeue.toSQL), state_reason = NULL, attempt = greatest(attempt - 1, 0),
                time_started = NULL, request_hash = NULL, next_attempt_at = now(),
                lease_token = NULL, leased_by = NULL, heartbeat_at = NULL, deadline_at = NULL
            WHERE id = \(lease.composeID) AND \(unescaped: ComposeTransition.requeue.guardSQL()) AND lease_token = \(lease.token)
            RETURNING id)
        SELECT id, pg_notify(\(NotifyChannel.wait.rawValue), id::text) FROM r
        """
    }

    /// Upstream's `transition` propagation: generating followers take the final state and
    /// reason of the compose they reuse (`nil`: every finished one, the periodic rule).
    static func composeSyncFollowers(of id: Int64?) -> PostgresQuery {
        """
        UPDATE composes f SET
            state = o.state, state_reason = o.state_reason, pungi_compose_id = o.pungi_compose_id,
            time_done = CASE WHEN o.state = \(unescaped: ComposeState.done.sql) THEN o.time_done ELSE f.time_done END,
            time_removed = CASE WHEN o.state = \(unescaped: ComposeState.removed.sql) THEN now() ELSE f.time_removed END,
            time_to_expire = CASE WHEN o.state = \(unescaped: ComposeState.removed.sql) THEN f.time_to_expire
                ELSE coalesce(o.time_done, now()) + (f.time_to_expire - f.time_submitted) END
        FROM composes o
        WHERE f.reused_id = o.id AND f.state = \(unescaped: ComposeState.generating.sql)
          AND o.state IN \(unescaped: ComposeState.sqlList(.done, .removed, .failed))
          AND (\(id)::bigint IS NULL OR o.id = \(id)::bigint)
        RETURNING f.id
        """
    }
}
