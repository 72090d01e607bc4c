import Hummingbird
import NIOCore
import ODCSCore

/// `GET /api/1/events/`: compose events as server-sent events (not upstream), for watchers.
///
///     id: 1042
///     event: state-changed
///     data: {"event": "state-changed", "compose": {...}}
///
/// The stream starts after the newest event, or after `Last-Event-ID` (header, or the
/// `last_event_id` parameter) to resume without losing any; `compose_id=` limits it to one
/// compose. Events come from the node's `EventHub`, its one reader of the outbox, so an open
/// stream costs the database nothing; a stream resumes as far back as `outbox_retention`
/// (from further back than the hub's ring it reads the outbox itself until it catches up).
/// A comment line after every `keepAlive` of quiet keeps proxies from closing it.
///
/// Open streams are capped per node and per client address (the peer's: behind a proxy, the
/// proxy's); beyond a cap the answer is 429 with `Retry-After`. A stream ends when its client
/// closes the connection (noticed at once, see `PeerCloseHandler`), when it falls too far
/// behind, and when its node shuts down gracefully: the HTTP server waits for every open
/// response before the node can stop, so a watcher that never disconnects would otherwise
/// hold a draining node (and a rolling upgrade) until it is killed. The client reconnects
/// after `retry` with its `Last-Event-ID`, to another node behind the same address, and
/// loses nothing.
struct EventRoutes: Sendable {
    let hub: EventHub

    func register(on router: Router<ODCSRequestContext>) {
        router.get("/api/1/events/") { request, context in try await stream(request, context: context) }
    }

    func stream(_ request: Request, context: ODCSRequestContext) async throws -> Response {
        let items = QueryString.items(request.uri.query)
        var composeID: Int64? = nil
        if let text = items.first(where: { $0.name == "compose_id" })?.value {
            guard let id = Int64(text), id > 0 else {
                throw APIError.badRequest("compose_id must be a positive integer")
            }
            composeID = id
        }
        let resume = request.headers[.init("Last-Event-ID")!] ?? items.first(where: { $0.name == "last_event_id" })?.value
        var after: Int64? = nil
        if let resume {
            guard let id = Int64(resume), id >= 0 else {
                throw APIError.badRequest("Last-Event-ID must be a non-negative integer")
            }
            after = id
        }
        let hub = hub
        let channel = context.channel
        let ticket: EventHub.Ticket
        do {
            ticket = try hub.open(
                client: context.peerAddress?.description ?? "local", composeID: composeID, after: after,
                abort: { channel.close(promise: nil) })
        } catch {
            let message =
                switch error {
                case .node: "This node has as many open event streams as it allows (events.max_streams); retry later."
                case .client: "This address has as many open event streams as a client may (events.max_streams_per_client)."
                }
            throw APIError(.tooManyRequests, message, headers: [.retryAfter: String(hub.configuration.retryAfterSeconds)])
        }
        // The slot is freed when the connection closes, even if the response never starts.
        channel.closeFuture.whenComplete { _ in hub.end(ticket.id) }
        PeerCloseHandler.closeWhenPeerCloses(channel)
        let stream = EventStream(hub: hub, ticket: ticket, composeID: composeID)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[.init("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream.run(&writer) })
    }
}
