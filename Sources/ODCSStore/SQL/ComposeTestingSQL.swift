import ODCSCore
import PostgresNIO

/// The statements behind `ComposeStore`'s testing SPI (`ComposeStore+Testing.swift`): never
/// run on a production path.
enum ComposeTestingSQL {
    /// Puts a compose in a state directly, bypassing the transitions, with the times a real
    /// transition would have set.
    static func composeOverwriteState(
        id: Int64, state: ComposeState, reason: String?, reusedID: Int64?, pungiComposeID: String?, expiresInSeconds: Int?
    ) -> PostgresQuery {
        let ttl = expiresInSeconds.map(Double.init)
        let started = [ComposeState.generating, .done, .failed].contains(state)
        return """
            UPDATE composes SET state = \(unescaped: state.sql), state_reason = \(reason), reused_id = \(reusedID),
                pungi_compose_id = \(pungiComposeID),
                time_started = CASE WHEN \(started) THEN now() END,
                time_done = CASE WHEN \(state == .done) THEN now() END,
                time_removed = CASE WHEN \(state == .removed) THEN now() END,
                time_to_expire = coalesce(now() + make_interval(secs => \(ttl)), time_to_expire)
            WHERE id = \(id)
            """
    }

    /// A digest of every `composes` and `users` row.
    static let composeSelectContentDigest: PostgresQuery = """
        SELECT coalesce(md5(string_agg(c::text, ',' ORDER BY c.id)), '') || '/'
            || (SELECT coalesce(md5(string_agg(u::text, ',' ORDER BY u.username)), '') FROM users u)
        FROM composes c
        """
}
