import Logging
import Metrics
import NIOCore
import ODCSCore
import ODCSStore
import ServiceLifecycle
import Synchronization

/// The one outbox reader of a node, for all of its event streams (`GET /api/1/events/`): it
/// reads each new event once, renders it once, keeps the newest in a bounded ring
/// (`EventFanout`) and wakes every stream, which writes what concerns it from the ring. An
/// open stream therefore costs the database nothing; only a stream that resumes from further
/// back than the ring reads the outbox itself, a page at a time, until it reaches the ring.
///
/// Usage: one per node, in the node's service group before the HTTP server (so that it stops
/// after the server's streams have ended); `ODCSRouter.make(events:)` routes streams to it.
///
/// Options (`Configuration`): the poll interval, keep-alive, the caps on open streams (per
/// node and per client address) and the ring's size. The reader wakes on `listen` (LISTEN
/// odcs_outbox, notified by the outbox trigger) and polls every `pollInterval` as well, so a
/// lost notification costs at most one interval. A stream that the ring leaves behind is ended
/// (its connection closed); its client resumes with `Last-Event-ID` and loses nothing.
///
/// Metrics: `odcs_event_streams_open` (gauge), `odcs_event_streams_refused_total{reason}`
/// (`node` or `client` cap), `odcs_event_streams_behind_total` (ended for falling behind).
public final class EventHub: Service, Sendable {
    public struct Configuration: Sendable {
        /// How often the reader looks at the outbox without a notification.
        public var pollInterval: Duration = .milliseconds(500)
        /// A stream quiet for this long gets a comment line, so that proxies keep it open.
        public var keepAlive: Duration = .seconds(15)
        /// Open streams on this node (`events.max_streams`).
        public var maxStreams = 512
        /// Open streams from one client address (`events.max_streams_per_client`; 0: no cap).
        public var maxStreamsPerClient = 200
        /// Events kept for the streams (`events.buffered_events`): how far a stream may fall behind.
        public var bufferedEvents = 4096
        /// The ring's bytes: also a limit on how far a stream may fall behind.
        public var bufferedBytes = 32 << 20
        /// Events one catch-up read of a resuming stream takes.
        public var catchUpPage = 100
        /// Events one write of a stream takes from the ring.
        public var framesPerWrite = 64
        /// `Retry-After` of a stream refused by a cap, in seconds.
        public var retryAfterSeconds = 10

        public init() {}

        /// Events one read of the reader takes: at most half the ring, so that one read never
        /// pushes out events that a stream keeping up has not had a chance to take.
        var readPage: Int { max(1, min(500, bufferedEvents / 2)) }
    }

    /// Runs until cancelled, calling `notified` for every notification (and reconnect).
    public typealias Listen = @Sendable (_ notified: @escaping @Sendable () -> Void) async -> Void

    struct State {
        var fanout: EventFanout
        /// Where the reader is: events are fanned out only once every lower id is settled.
        var frontier: OutboxFrontier?
        var wakers: [Int: AsyncStream<Void>.Continuation] = [:]
        var aborts: [Int: @Sendable () -> Void] = [:]
    }

    public let configuration: Configuration
    let outbox: OutboxStore
    let renderer: ComposeJSONRenderer
    let listen: Listen?
    let logger: Logger
    let state: Mutex<State>
    let openGauge = Gauge(label: "odcs_event_streams_open")
    let behindCounter = Counter(label: "odcs_event_streams_behind_total")
    let refusedByNodeCap = Counter(label: "odcs_event_streams_refused_total", dimensions: [("reason", "node")])
    let refusedByClientCap = Counter(label: "odcs_event_streams_refused_total", dimensions: [("reason", "client")])

    static let retryLine = ByteBuffer(string: "retry: 2000\n\n")
    static let keepAliveLine = ByteBuffer(string: ": keep-alive\n\n")

    public init(configuration: Configuration, outbox: OutboxStore, renderer: ComposeJSONRenderer, listen: Listen?, logger: Logger) {
        self.configuration = configuration
        self.outbox = outbox
        self.renderer = renderer
        self.listen = listen
        self.logger = logger
        let limits = EventFanout.Limits(
            maxStreams: configuration.maxStreams, maxStreamsPerClient: configuration.maxStreamsPerClient,
            bufferedEvents: configuration.bufferedEvents, bufferedBytes: configuration.bufferedBytes,
            framesPerWrite: configuration.framesPerWrite)
        state = Mutex(State(fanout: EventFanout(limits: limits)))
    }

    public func run() async throws {
        openGauge.record(0)
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            if let listen { group.addTask { await listen { wake.yield() } } }
            group.addTask {
                while !Task.isCancelled {
                    wake.yield()
                    try? await Task.sleep(for: self.configuration.pollInterval)
                }
            }
            // One timer for every stream's keep-alive: each checks its own quiet time when woken.
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.configuration.keepAlive / 3)
                    self.wakeAll()
                }
            }
            group.addTask {
                for await _ in wakes {
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    await self.drain()
                }
            }
            await withGracefulShutdownHandler {
                await group.next()
            } onGracefulShutdown: {
                wake.finish()
            }
            group.cancelAll()
        }
        endAll()
    }

    /// Reads until a read comes back short of a page. A failed read is retried at the next
    /// wake-up; the streams keep their keep-alives meanwhile.
    func drain() async {
        while !Task.isCancelled {
            do {
                if try await runOnce() < configuration.readPage { return }
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "Reading the outbox for the event streams failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                return
            }
        }
    }

    /// One read: the first one finds where the outbox ends; the next ones read the next page
    /// of events, fanned out to every stream in id order once every lower id is settled
    /// (`OutboxFrontier`: an event may commit after a later one). Returns how many events were
    /// fanned out.
    ///
    /// The reader starts a ring's worth of events back from the newest, not at it: an id below
    /// the newest may belong to a transaction still running, and a node that started past it
    /// would never send it, nor let a resuming stream catch up on it. Streams are served once
    /// the reader has read to the end of the outbox.
    @discardableResult
    public func runOnce() async throws -> Int {
        guard let frontier = state.withLock({ $0.frontier }) else {
            let newest = try await outbox.lastEventID()
            let base = max(0, newest - Int64(configuration.bufferedEvents))
            state.withLock {
                $0.fanout.begin(after: base, newest: newest)
                $0.frontier = OutboxFrontier(position: base)
            }
            return configuration.readPage  // read on at once: the streams wait for it
        }
        if state.withLock({ $0.fanout.streams.isEmpty }), let moved = try await skipUnseen(after: frontier.position) {
            return moved
        }
        let page = try await outbox.streamPage(after: frontier.position, limit: configuration.readPage)
        let settled = state.withLock { state in state.frontier?.settle(page, now: .now) }
        logSkipped(settled?.skippedAfterWaiting ?? [])
        let events = settled?.events ?? []
        let caughtUp = page.events.count < configuration.readPage
        guard !events.isEmpty else {
            if caughtUp, state.withLock({ $0.fanout.serve() }) { wakeAll() }
            return 0
        }
        let frames = events.map(frame)
        let (behind, aborts) = state.withLock { state in
            let behind = state.fanout.append(frames)
            if caughtUp { state.fanout.serve() }
            return (behind, behind.map { state.release($0) })
        }
        for abort in aborts { abort() }
        if !behind.isEmpty {
            behindCounter.increment(by: behind.count)
            recordOpen()
            logger.info("event streams fell behind and were ended", metadata: ["streams": "\(behind.count)"])
        }
        wakeAll()
        return events.count
    }

    /// With no stream open, the reader reads only the next events' ids and moves past them
    /// without rendering them (`EventFanout.skip`): nobody would be sent them from the ring,
    /// and a stream that resumes from before them reads them from the outbox. Under a burst of
    /// POSTs, rebuilding and rendering each event for no stream was a tenth of what a POST cost
    /// the node and PostgreSQL together (issue 18). Returns how many events it moved past, or
    /// nil when a stream opened during the read: the reader then reads the page in full.
    func skipUnseen(after position: Int64) async throws -> Int? {
        let page = try await outbox.streamPageIDs(after: position, limit: configuration.readPage)
        let caughtUp = page.events.count < configuration.readPage
        let settled: OutboxFrontier.Settled<OutboxEventID>?? = state.withLock { state in
            guard state.fanout.streams.isEmpty else { return nil }
            let settled = state.frontier?.settle(page, now: .now)
            if let newest = settled?.events.last?.id { state.fanout.skip(to: newest) }
            if caughtUp { state.fanout.serve() }
            return settled
        }
        guard let settled else { return nil }
        logSkipped(settled?.skippedAfterWaiting ?? [])
        return settled?.events.count ?? 0
    }

    func logSkipped(_ ids: [Int64]) {
        guard !ids.isEmpty else { return }
        logger.warning(
            "event ids missing for longer than the wait were skipped: a transaction kept them open", metadata: ["ids": "\(ids)"])
    }

    func frame(_ event: OutboxEvent) -> EventFanout.Frame {
        var text = "id: \(event.id)\nevent: state-changed\ndata: "
        text += renderer.stateChangedMessage(event.compose)
        text += "\n\n"
        return EventFanout.Frame(id: event.id, composeID: event.compose.id, bytes: ByteBuffer(string: text))
    }

    func wakeAll() {
        for waker in state.withLock({ Array($0.wakers.values) }) { waker.yield() }
    }

    /// Ends every stream cleanly (the server's own shutdown has normally ended them already).
    func endAll() {
        state.withLock { state in
            for id in state.fanout.streams.keys {
                state.fanout.remove(id)
                _ = state.release(id)
            }
        }
        recordOpen()
    }

    func recordOpen() {
        openGauge.record(state.withLock { $0.fanout.streams.count })
    }
}

extension EventHub.State {
    /// Ends the wake-ups of a stream already removed from the fan-out; returns its abort.
    mutating func release(_ id: Int) -> @Sendable () -> Void {
        wakers.removeValue(forKey: id)?.finish()
        return aborts.removeValue(forKey: id) ?? {}
    }
}
