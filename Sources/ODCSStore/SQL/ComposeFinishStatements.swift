import Foundation
import ODCSCore
import PostgresNIO

/// The per-compose statements of the queue as named prepared statements: every claimed
/// compose runs each of them once, so parsing and planning them once per connection
/// instead of once per compose is a large share of the database's work (the scheduler
/// benchmark measured planning at a third to a half of their time).

/// The fenced finish — `done` or `failed` — and the followers' propagation, in one
/// statement that locks the compose and its followers in id order before it writes them. `done` restarts the TTL at completion and records the productmd compose id;
/// `failed` restarts it the same way (upstream gives a failed compose the same grace).
struct ComposeFinish: PostgresPreparedStatement {
    static let name = "ComposeFinish"
    static let sql = """
        WITH l AS MATERIALIZED (
            SELECT id FROM composes
            WHERE (id = $1 AND state = \(ComposeState.generating.sql) AND lease_token = $2)
               OR (reused_id = $1 AND state = \(ComposeState.generating.sql))
            ORDER BY id FOR NO KEY UPDATE),
        d AS (
            UPDATE composes SET
                state = $3, state_reason = $4,
                time_done = CASE WHEN $3 = \(ComposeState.done.sql) THEN now() ELSE time_done END,
                time_to_expire = now() + (time_to_expire - time_submitted),
                pungi_compose_id = coalesce($5, pungi_compose_id),
                source = coalesce($6, source), arches = coalesce($7, arches), sigkeys = coalesce($8, sigkeys),
                pungi_config_dump = coalesce($9, pungi_config_dump),
                lease_token = NULL, heartbeat_at = NULL, deadline_at = NULL
            WHERE id = $1 AND \(ComposeTransition.finishDone.guardSQL()) AND lease_token = $2 AND id IN (SELECT id FROM l)
            RETURNING id, state, state_reason, time_done, pungi_compose_id, request_hash)
        \(ComposeQueueSQL.followersOfFinished)
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8, .uuid, .int4, .text, .text, .text, .text, .text, .text]

    typealias Row = (Int, Int)

    var lease: Lease
    var state: ComposeState
    var reason: String
    var pungiComposeID: String?
    /// What the generation decided of these fields (pulp composes); nil keeps the stored value.
    var updates = ComposeDoneUpdates()

    static func done(_ lease: Lease, pungiComposeID: String?, updates: ComposeDoneUpdates) -> Self {
        Self(
            lease: lease, state: ComposeTransition.finishDone.to, reason: "Compose is generated successfully",
            pungiComposeID: pungiComposeID, updates: updates)
    }

    static func failed(_ lease: Lease, reason: String) -> Self {
        Self(lease: lease, state: ComposeTransition.finishFailed.to, reason: reason, pungiComposeID: nil)
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 9)
        bindings.append(lease.composeID)
        bindings.append(lease.token)
        bindings.append(Int32(state.rawValue))
        bindings.append(reason)
        bindings.append(pungiComposeID)
        bindings.append(updates.source)
        bindings.append(updates.arches)
        bindings.append(updates.sigkeys)
        bindings.append(updates.pungiConfigDump)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode((Int, Int).self) }
}

/// All of a worker's leases refreshed at once; returns the ids still held. The rows are
/// locked in id order first, like every statement that locks several composes (design §11):
/// an `UPDATE … FROM unnest(…)` alone locks them in whatever order the join yields, and
/// deadlocked with a reuse decision holding one of them.
struct ComposeHeartbeat: PostgresPreparedStatement {
    static let name = "ComposeHeartbeat"
    static let sql = """
        WITH l AS MATERIALIZED (
            SELECT c.id FROM composes c JOIN unnest($1::bigint[], $2::uuid[]) AS h(id, token) ON c.id = h.id
            WHERE c.state = \(ComposeState.generating.sql) AND c.lease_token = h.token
            ORDER BY c.id FOR NO KEY UPDATE OF c)
        UPDATE composes SET heartbeat_at = now()
        FROM l WHERE composes.id = l.id
        RETURNING composes.id
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8Array, .uuidArray]

    typealias Row = Int64

    var ids: [Int64]
    var tokens: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(ids)
        bindings.append(tokens)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// A compose without a reuse key starts generating: what resolve filled in, fenced.
struct ComposeStartGeneratingUnkeyed: PostgresPreparedStatement {
    static let name = "ComposeStartGeneratingUnkeyed"
    static let sql = """
        UPDATE composes SET koji_event = $3, source = $4, state_reason = 'Compose is generating'
        WHERE id = $1 AND state = \(ComposeState.generating.sql) AND lease_token = $2
        RETURNING id
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8, .uuid, .int8, .text]

    typealias Row = Int64

    var lease: Lease
    var kojiEvent: Int64?
    var source: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(lease.composeID)
        bindings.append(lease.token)
        bindings.append(kojiEvent)
        bindings.append(source)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}
