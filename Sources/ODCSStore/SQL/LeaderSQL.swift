import ODCSCore
import PostgresNIO

/// Statements on `leader` and the duty advisory locks (`AdvisoryLock`: the two-key form,
/// `AdvisoryLock.namespace` and the duty's key).
enum LeaderSQL {
    static func leaderTryLock(_ lock: AdvisoryLock) -> PostgresQuery {
        "SELECT pg_try_advisory_lock(\(AdvisoryLock.namespace), \(lock.key))"
    }

    /// The duty's lease on its lock connection: PostgreSQL (14 and newer) closes the session,
    /// and so releases the lock, once it has been idle this long, so a paused or hung holder
    /// cannot keep a duty from the other nodes. No row on older servers (no such setting).
    static func leaderLimitIdleSession(milliseconds: Int) -> PostgresQuery {
        """
        SELECT set_config(name, \(String(milliseconds)), false) FROM pg_settings WHERE name = 'idle_session_timeout'
        """
    }

    static func leaderUnlock(_ lock: AdvisoryLock) -> PostgresQuery {
        "SELECT pg_advisory_unlock(\(AdvisoryLock.namespace), \(lock.key))"
    }

    /// Whether this session still holds the duty lock (checked on the lock connection itself).
    static func leaderHoldsLock(_ lock: AdvisoryLock) -> PostgresQuery {
        """
        SELECT count(*)::bigint FROM pg_locks
        WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
          AND classid = \(Int64(AdvisoryLock.namespace)) AND objid = \(Int64(lock.key)) AND objsubid = 2
        """
    }

    /// A new term for the node that just took the lock.
    static func leaderElect(duty: String, holder: String) -> PostgresQuery {
        """
        INSERT INTO leader (duty, term, holder, elected_at, renewed_at) VALUES (\(duty), 1, \(holder), now(), now())
        ON CONFLICT (duty) DO UPDATE SET term = leader.term + 1, holder = EXCLUDED.holder,
            elected_at = now(), renewed_at = now()
        RETURNING term
        """
    }

    static func leaderRenew(duty: String, term: Int64, holder: String) -> PostgresQuery {
        "UPDATE leader SET renewed_at = now() WHERE duty = \(duty) AND term = \(term) AND holder = \(holder) RETURNING term"
    }

    /// The fence of a leader-only write: locks the term row so that a new election waits
    /// for the write to commit.
    static func leaderCheckTerm(duty: String, term: Int64, holder: String) -> PostgresQuery {
        "SELECT term FROM leader WHERE duty = \(duty) AND term = \(term) AND holder = \(holder) FOR SHARE"
    }

    static let leaderSelectAll: PostgresQuery = """
        SELECT duty, term, holder, elected_at, renewed_at FROM leader ORDER BY duty
        """
}

/// Statements on `nodes`.
enum NodeSQL {
    static func nodeUpsert(id: String, host: String, version: String, workers: Int) -> PostgresQuery {
        """
        INSERT INTO nodes (id, host, version, started_at, seen_at, workers, state)
        VALUES (\(id), \(host), \(version), now(), now(), \(workers), 'running')
        ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, version = EXCLUDED.version,
            started_at = now(), seen_at = now(), workers = EXCLUDED.workers, state = 'running'
        """
    }

    static func nodeTouch(id: String, state: String) -> PostgresQuery {
        "UPDATE nodes SET seen_at = now(), state = \(state) WHERE id = \(id)"
    }

    static let nodeSelectAll: PostgresQuery = """
        SELECT n.id, n.host, n.version, n.started_at, n.seen_at, n.workers, n.state,
               extract(epoch FROM now() - n.seen_at)::float8,
               ARRAY(SELECT c.id FROM composes c WHERE c.state = \(unescaped: ComposeState.generating.sql) AND c.leased_by = n.id AND c.lease_token IS NOT NULL
                     ORDER BY c.id)::bigint[]
        FROM nodes n ORDER BY n.id
        """

    /// Nodes not seen for a long time leave the registry.
    static func nodeDeleteStale(olderThanSeconds: Int) -> PostgresQuery {
        "DELETE FROM nodes WHERE seen_at < now() - make_interval(secs => \(Double(olderThanSeconds)))"
    }
}
