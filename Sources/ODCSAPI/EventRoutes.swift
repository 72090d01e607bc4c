import Hummingbird
import Logging
import NIOCore
import ODCSCore
import ODCSStore
import ServiceLifecycle

/// `GET /api/1/events/`: compose events as server-sent events (not upstream), for watchers.
///
///     id: 1042
///     event: state-changed
///     data: {"event": "state-changed", "compose": {...}}
///
/// The stream starts after the newest event, or after `Last-Event-ID` (header, or the
/// `last_event_id` parameter) to resume without losing any; `compose_id=` limits it to one
/// compose. Events are read from the outbox, so a stream can resume as far back as
/// `outbox_retention`. A comment line every `keepAlive` keeps proxies from closing it.
///
/// A stream ends when its node shuts down gracefully: the HTTP server waits for every open
/// response before the node can stop, so a watcher that never disconnects would otherwise
/// hold a draining node (and a rolling upgrade) until it is killed. The client reconnects
/// after `retry` with its `Last-Event-ID`, to another node behind the same address, and
/// loses nothing. A read of the outbox that fails is retried at the next poll rather than
/// cutting the stream.
struct EventRoutes: Sendable {
    let outbox: OutboxStore
    let renderer: ComposeJSONRenderer
    var pollInterval: Duration = .milliseconds(200)
    var keepAlive: Duration = .seconds(15)

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/api/1/events/") { request, _ in try await stream(request) }
    }

    func stream(_ request: Request) async throws -> Response {
        let items = QueryString.items(request.uri.query)
        var composeID: Int64? = nil
        if let text = items.first(where: { $0.name == "compose_id" })?.value {
            guard let id = Int64(text), id > 0 else {
                throw APIError.badRequest("compose_id must be a positive integer")
            }
            composeID = id
        }
        let resume = request.headers[.init("Last-Event-ID")!] ?? items.first(where: { $0.name == "last_event_id" })?.value
        let after: Int64
        if let resume {
            guard let id = Int64(resume), id >= 0 else {
                throw APIError.badRequest("Last-Event-ID must be a non-negative integer")
            }
            after = id
        } else {
            after = try await outbox.lastEventID()
        }
        let outbox = outbox
        let renderer = renderer
        let pollInterval = pollInterval
        let keepAlive = keepAlive
        let start = after
        let filter = composeID
        let body = ResponseBody { writer in
            var last = start
            var quiet = Duration.zero
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                // A failed read (the database restarting, say) is retried at the next poll:
                // the watcher keeps its stream and its keep-alives meanwhile.
                let events = (try? await outbox.events(after: last, composeID: filter)) ?? []
                if events.isEmpty {
                    try await Task.sleep(for: pollInterval)
                    quiet += pollInterval
                    if quiet >= keepAlive {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        quiet = .zero
                    }
                    continue
                }
                quiet = .zero
                var text = ""
                for event in events {
                    text += "id: \(event.id)\nevent: state-changed\ndata: "
                    text += renderer.stateChangedMessage(event.compose)
                    text += "\n\n"
                    last = event.id
                }
                try await writer.write(ByteBuffer(string: text))
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[.init("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: body)
    }
}
