import ODCSCore
import PostgresNIO

extension ComposeStore {
    /// Puts a compose in a state directly, bypassing the transition rules, so that tests can
    /// set up the states that workers produce. Not for production paths.
    @_spi(Testing)
    public func overwriteState(
        id: Int64, state: ComposeState, reason: String? = nil, reusedID: Int64? = nil, pungiComposeID: String? = nil,
        expiresInSeconds: Int? = nil
    ) async throws {
        let ttl = expiresInSeconds.map(Double.init)
        try await client.query(
            """
            UPDATE composes SET state = \(state.rawValue), state_reason = \(reason), reused_id = \(reusedID),
                pungi_compose_id = \(pungiComposeID),
                time_started = CASE WHEN \(state.rawValue) IN (1, 2, 4) THEN now() END,
                time_done = CASE WHEN \(state.rawValue) = 2 THEN now() END,
                time_removed = CASE WHEN \(state.rawValue) = 3 THEN now() END,
                time_to_expire = coalesce(now() + make_interval(secs => \(ttl)), time_to_expire)
            WHERE id = \(id)
            """, logger: logger)
    }
}

extension ComposeStore {
    /// A digest of every `composes` and `users` row, so that a test can show that a refused
    /// request changed nothing at all (not only that no row was added).
    @_spi(Testing)
    public func contentDigest() async throws -> String {
        let rows = try await client.query(
            """
            SELECT coalesce(md5(string_agg(c::text, ',' ORDER BY c.id)), '') || '/'
                || (SELECT coalesce(md5(string_agg(u::text, ',' ORDER BY u.username)), '') FROM users u)
            FROM composes c
            """, logger: logger)
        for try await digest in rows.decode(String.self) { return digest }
        return ""
    }
}
