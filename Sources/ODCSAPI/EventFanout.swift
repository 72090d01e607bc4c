import NIOCore

/// The event fan-out of one node, as a value: the recent events that every stream shares
/// (rendered once), the open streams with how far each has been served, and the caps on open
/// streams. `EventHub` keeps it under a lock and does the I/O it asks for; tests drive it as
/// a script of calls.
///
/// The ring holds the events after `floor` up to `position`, the newest id the node's reader
/// has read. A stream whose cursor is at or past `floor` is served from the ring; one further
/// back (it resumed from an older `Last-Event-ID`) reads the outbox itself, a page at a time,
/// until it reaches the ring. A stream served from the ring that the ring then leaves behind
/// (it did not take the events as fast as they came) is ended, unless nothing it would have
/// been sent was dropped.
struct EventFanout {
    /// One event as every stream writes it: `id:`, `event:`, `data:` and the blank line.
    struct Frame: Sendable, Equatable {
        var id: Int64
        var composeID: Int64
        var bytes: ByteBuffer
    }

    struct Limits: Sendable {
        var maxStreams: Int
        /// 0: no cap per client.
        var maxStreamsPerClient: Int
        var bufferedEvents: Int
        var bufferedBytes: Int
        var framesPerWrite: Int
    }

    enum Refusal: Error, Equatable {
        case node
        case client
    }

    enum Next: Equatable {
        /// Write these, then ask again.
        case frames([Frame])
        /// Read the outbox after `after`; if the page is not full, everything up to
        /// `reachesRingAt` has been seen (the reader had read that far before the page).
        case catchUp(after: Int64, reachesRingAt: Int64)
        /// Nothing to write: wait for a wake-up.
        case idle
        /// The stream was ended (shutdown, its client left, or it fell behind).
        case ended
    }

    struct Stream {
        var client: String
        var composeID: Int64?
        /// Every event up to this id was sent or does not concern the stream. nil until the
        /// reader knows where the outbox ends: a stream without `Last-Event-ID` starts there.
        var cursor: Int64?
        /// Set once the stream is served from the ring.
        var live = false

        func wants(_ frame: Frame) -> Bool { composeID == nil || composeID == frame.composeID }
    }

    let limits: Limits
    private(set) var frames = CircularBuffer<Frame>()
    private(set) var bufferedBytes = 0
    /// The events up to `floor` are no longer (or never were) in the ring; nil until started.
    private(set) var floor: Int64?
    /// The newest event id the reader has read; nil until started.
    private(set) var position: Int64?
    /// Set once the reader has read the outbox to its end: streams are served from then on.
    private(set) var serving = false
    /// Where streams opened before `serve()` without `Last-Event-ID` start.
    private var freshFrom: Int64?
    private(set) var streams: [Int: Stream] = [:]
    private(set) var perClient: [String: Int] = [:]
    private var lastStreamID = 0

    init(limits: Limits) {
        self.limits = limits
    }

    /// The reader reads the outbox after `base`, and `newest` was its newest event when it
    /// began: the ring holds what it reads from `base` on. Streams wait until `serve()`.
    mutating func begin(after base: Int64, newest: Int64) {
        guard position == nil else { return }
        position = base
        floor = base
        freshFrom = newest
    }

    /// The reader has read the outbox to its end: streams are served. Those that came without
    /// `Last-Event-ID` before now start after the newest event of when the reader began, so
    /// that nothing committed after they opened passes them by. True when this call started it.
    @discardableResult
    mutating func serve() -> Bool {
        guard !serving, let position else { return false }
        serving = true
        for (id, stream) in streams where stream.cursor == nil { streams[id]?.cursor = freshFrom ?? position }
        return true
    }

    /// `begin` and `serve()` at once: the reader starts at the outbox's end.
    mutating func start(at newest: Int64) {
        begin(after: newest, newest: newest)
        serve()
    }

    /// A new stream after `after` (nil: after the newest event), or the cap it would exceed.
    mutating func open(client: String, composeID: Int64?, after: Int64?) throws(Refusal) -> Int {
        guard streams.count < limits.maxStreams else { throw .node }
        if limits.maxStreamsPerClient > 0, perClient[client, default: 0] >= limits.maxStreamsPerClient { throw .client }
        lastStreamID += 1
        streams[lastStreamID] = Stream(client: client, composeID: composeID, cursor: after ?? (serving ? position : nil))
        perClient[client, default: 0] += 1
        return lastStreamID
    }

    /// Forgets a stream; false when it was already gone.
    @discardableResult
    mutating func remove(_ id: Int) -> Bool {
        guard let stream = streams.removeValue(forKey: id) else { return false }
        let left = perClient[stream.client, default: 1] - 1
        perClient[stream.client] = left > 0 ? left : nil
        return true
    }

    /// The reader moved to `newest` while no stream was open, without rendering what it read
    /// (`EventHub.runOnce`): the ring starts empty there. A stream that opens later without
    /// `Last-Event-ID` starts at `newest`; one that resumes from before it catches up from the
    /// outbox. Only with no stream open: one served from the ring would miss these events.
    mutating func skip(to newest: Int64) {
        precondition(streams.isEmpty, "a stream is open: the reader must render what it reads")
        frames.removeAll()
        bufferedBytes = 0
        floor = newest
        position = newest
    }

    /// The reader's next events, in id order. Returns the streams that the ring left behind,
    /// already removed: the caller ends them.
    mutating func append(_ new: [Frame]) -> [Int] {
        guard let newest = new.last?.id else { return [] }
        for frame in new {
            frames.append(frame)
            bufferedBytes += frame.bytes.readableBytes
        }
        position = newest
        var dropped: [Frame] = []
        while frames.count > limits.bufferedEvents || (bufferedBytes > limits.bufferedBytes && frames.count > 1) {
            let frame = frames.removeFirst()
            bufferedBytes -= frame.bytes.readableBytes
            dropped.append(frame)
        }
        guard let newFloor = dropped.last?.id else { return [] }
        floor = newFloor
        var behind: [Int] = []
        for (id, stream) in streams where stream.live {
            guard let cursor = stream.cursor, cursor < newFloor else { continue }
            // A stream filtered to one compose loses nothing when no dropped event was its own.
            if dropped.contains(where: { $0.id > cursor && stream.wants($0) }) {
                behind.append(id)
            } else {
                streams[id]?.cursor = newFloor
            }
        }
        for id in behind { remove(id) }
        return behind
    }

    /// What stream `id` should do next; takes up to `framesPerWrite` of its events from the ring.
    mutating func take(_ id: Int) -> Next {
        guard var stream = streams[id] else { return .ended }
        guard serving, let floor, let position else { return .idle }
        let cursor = stream.cursor ?? position
        if cursor < floor { return .catchUp(after: cursor, reachesRingAt: position) }
        stream.live = true
        var batch: [Frame] = []
        var index = firstIndex(after: cursor)
        while index < frames.endIndex, batch.count < limits.framesPerWrite {
            if stream.wants(frames[index]) { batch.append(frames[index]) }
            index = frames.index(after: index)
        }
        // A full batch stops where it stopped; otherwise the whole ring has been looked at.
        stream.cursor = batch.count == limits.framesPerWrite ? batch[batch.count - 1].id : max(cursor, position)
        streams[id] = stream
        return batch.isEmpty ? .idle : .frames(batch)
    }

    /// A catch-up page was sent: the stream has seen everything up to `cursor`.
    mutating func advance(_ id: Int, to cursor: Int64) {
        guard let current = streams[id] else { return }
        streams[id]?.cursor = max(current.cursor ?? cursor, cursor)
    }

    /// The index of the first frame with an id above `id` (ids ascend).
    func firstIndex(after id: Int64) -> CircularBuffer<Frame>.Index {
        var low = 0
        var high = frames.count
        while low < high {
            let middle = (low + high) / 2
            if frames[frames.index(frames.startIndex, offsetBy: middle)].id <= id { low = middle + 1 } else { high = middle }
        }
        return frames.index(frames.startIndex, offsetBy: low)
    }
}
