import Hummingbird
import ODCSCore
import ODCSStore

/// `/api/1/nodes/`: the node registry and the current holder of each leader-only duty, for
/// operators (not part of upstream's API).
struct ClusterRoutes: Sendable {
    let store: ComposeStore

    /// A node not seen for this long is shown as not alive (it reports every 10 s).
    static let aliveSeconds = 60.0

    func register(on router: Router<ODCSRequestContext>) {
        router.get("/api/1/nodes/") { _, _ in try await nodes() }
    }

    func nodes() async throws -> Response {
        let registry = store.nodes
        let nodes = try await registry.all()
        let terms = try await store.leaderTerms()
        let body: JSONValue = [
            "leaders": .array(
                terms.map { term in
                    [
                        "duty": .string(term.duty), "elected": .string(ComposeTime.format(term.electedAt)),
                        "holder": .string(term.holder), "renewed": .string(ComposeTime.format(term.renewedAt)),
                        "term": .int(Int(term.term)),
                    ]
                }),
            "nodes": .array(
                nodes.map { node in
                    [
                        "alive": .bool(node.state != "stopped" && node.secondsSinceSeen < Self.aliveSeconds),
                        "composes": .array(node.generatingIDs.map { .int(Int($0)) }), "generating": .int(node.generating),
                        "host": .string(node.host), "id": .string(node.id),
                        "last_seen": .string(ComposeTime.format(node.seenAt)), "started": .string(ComposeTime.format(node.startedAt)),
                        "state": .string(node.state), "version": .string(node.version), "workers": .int(node.workers),
                    ]
                }),
        ]
        return JSONResponse.make(body.serialized(), cors: true)
    }
}
