import Foundation
import ODCSCore
import PostgresNIO

/// `ComposeClaimNext` as a named prepared statement: every idle worker runs it on every
/// wake-up, so it is parsed and planned once per connection. The CTE runs the LIMITed
/// SELECT exactly once (the Oban/pg-boss planner trap); FIFO by id.
struct ComposeClaimNext: PostgresPreparedStatement {
    static let name = "ComposeClaimNext"
    static let sql = """
        WITH c AS (
            SELECT id FROM composes
            WHERE \(ComposeTransition.claim.guardSQL()) AND next_attempt_at <= now()
            ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
        UPDATE composes SET
            state = \(ComposeTransition.claim.toSQL), state_reason = 'Compose thread started',
            attempt = composes.attempt + 1, lease_token = gen_random_uuid(), leased_by = $1,
            heartbeat_at = now(), deadline_at = now() + make_interval(secs => $3),
            time_started = now()
        FROM c WHERE composes.id = c.id
        RETURNING \(ComposeColumns.qualifiedList), \(ComposeQueueSQL.claimExtra)
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .float8]

    typealias Row = ClaimedCompose

    var node: String
    var limit: Int
    var deadlineSeconds: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(node)
        bindings.append(limit)
        bindings.append(Double(deadlineSeconds))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> ClaimedCompose {
        try ComposeQueue.decodeClaim(row)
    }
}
