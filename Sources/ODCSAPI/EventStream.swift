import Hummingbird
import NIOCore
import ServiceLifecycle

/// The writing side of one open event stream: `retry:`, then the stream's events as the hub
/// hands them over (or as its catch-up reads of the outbox return them), and a keep-alive
/// comment after `keepAlive` of quiet. It ends when the hub ends it — the node shuts down
/// gracefully, its client closed the connection, it fell behind — and the response ends with it.
struct EventStream: Sendable {
    let hub: EventHub
    let ticket: EventHub.Ticket
    let composeID: Int64?

    func run(_ writer: inout any ResponseBodyWriter) async throws {
        let hub = hub
        let id = ticket.id
        defer { hub.end(id) }
        try await writer.write(EventHub.retryLine)
        // At graceful shutdown the server waits for every open response: end this one.
        try await withGracefulShutdownHandler {
            try await loop(&writer)
        } onGracefulShutdown: {
            hub.end(id)
        }
        try await writer.finish(nil)
    }

    func loop(_ writer: inout any ResponseBodyWriter) async throws {
        let keepAlive = hub.configuration.keepAlive
        var lastWrite = ContinuousClock.now
        var wakeups = ticket.wakeups.makeAsyncIterator()
        while true {
            var batch: [ByteBuffer] = []
            var lookAgain = false
            switch hub.take(ticket.id) {
            case .ended:
                return
            case .frames(let frames):
                batch = frames.map(\.bytes)
            case .catchUp(let after, let reachesRingAt):
                do {
                    let (frames, full) = try await hub.catchUp(after: after, upTo: reachesRingAt, composeID: composeID)
                    batch = frames.map(\.bytes)
                    let last = frames.last?.id ?? after
                    hub.advance(ticket.id, to: full ? last : max(last, reachesRingAt))
                    lookAgain = true
                } catch let error where !(error is CancellationError) {
                    // A failed read (the database restarting, say) is retried at the next
                    // wake-up: the watcher keeps its stream and its keep-alives meanwhile.
                }
            case .idle:
                break
            }
            if !batch.isEmpty {
                try await writer.write(contentsOf: batch)
                lastWrite = .now
            }
            if lookAgain || !batch.isEmpty { continue }
            if ContinuousClock.now - lastWrite >= keepAlive {
                try await writer.write(EventHub.keepAliveLine)
                lastWrite = .now
            }
            guard await wakeups.next() != nil else { return }
        }
    }
}
