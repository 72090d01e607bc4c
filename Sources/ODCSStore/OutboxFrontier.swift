/// How far the node's event streams may read the outbox: the newest id below which every
/// event is either read or will never exist.
///
/// Outbox ids come from a sequence when a row is written, not when its transaction commits:
/// event 11 may commit after event 12. A reader that moved past 12 as soon as it saw it would
/// never send 11 (a client waiting for that compose's end would wait forever). So a missing
/// id below an event read is held, with the later events, until it is settled:
///
/// - it appears (its transaction committed): it is sent, in order;
/// - or every transaction that was running when it was first seen missing has ended and it
///   still is not there: it was rolled back, and is skipped. An id is taken by the trigger
///   of a transaction that has already written its `composes` row, so that transaction had
///   its xid before any read that saw a later id, and that xid is below the next xid read
///   after that read's snapshot; once the xmin of a later snapshot has reached that next
///   xid, it is over. (Not the snapshot's xmax: that is the newest completed xid plus one,
///   and a transaction running with a newer xid is above it. Holding a hole until a later
///   xmin passed the xmax skipped events of transactions still running: the cluster in a
///   box lost two committed events that way.)
/// - or it has been missing for `maximumWait` (a transaction kept open for that long): it is
///   skipped, and `skippedAfterWaiting` says so.
///
///     var frontier = OutboxFrontier()
///     let page = try await outbox.streamPage(after: frontier.position, limit: 500)
///     let settled = frontier.settle(page, now: .now)   // deliver settled.events
///
/// A page holds whole events (`OutboxEvent`) or only their ids (`OutboxEventID`,
/// `OutboxStore.streamPageIDs`): the frontier needs the ids alone.
public struct OutboxFrontier: Sendable {
    /// Events read after `position`, in id order, the xmin of the snapshot that read them,
    /// and the next xid to be assigned, read after that snapshot was taken (zero when no
    /// event was read): every transaction running at the snapshot has an xid below it.
    public struct Page<Event: OutboxIdentified>: Sendable {
        public var events: [Event]
        public var snapshotXmin: Int64
        public var nextXid: Int64

        public init(events: [Event], snapshotXmin: Int64, nextXid: Int64) {
            self.events = events
            self.snapshotXmin = snapshotXmin
            self.nextXid = nextXid
        }
    }

    public struct Settled<Event: OutboxIdentified>: Sendable {
        /// The events to send now, in id order.
        public var events: [Event]
        /// Ids given up on after `maximumWait`.
        public var skippedAfterWaiting: [Int64]
    }

    /// Every id up to here is sent or settled as never to come.
    public private(set) var position: Int64
    public var maximumWait: Duration
    /// Missing ids: the next xid after the read that first missed each, and when.
    private(set) var missing: [Int64: (horizon: Int64, since: ContinuousClock.Instant)] = [:]
    /// A hole wider than this (a sequence moved by hand) is skipped at once rather than held id by id.
    static let widestHole: Int64 = 10_000

    public init(position: Int64, maximumWait: Duration = .seconds(10)) {
        self.position = position
        self.maximumWait = maximumWait
    }

    /// The ids still held back.
    public var holding: Int { missing.count }

    /// Takes a page read after `position`: returns what may be sent, and moves `position`.
    public mutating func settle<Event>(_ page: Page<Event>, now: ContinuousClock.Instant) -> Settled<Event> {
        var settled = Settled<Event>(events: [], skippedAfterWaiting: [])
        var expected = position + 1
        for event in page.events where event.id > position {
            if event.id - expected > Self.widestHole { expected = event.id }
            while expected < event.id {
                if missing[expected] == nil { missing[expected] = (page.nextXid, now) }
                expected += 1
            }
            expected = event.id + 1
        }
        expected = position + 1
        for event in page.events where event.id > position {
            if event.id - expected > Self.widestHole { expected = event.id }
            while expected < event.id {
                guard let hole = missing[expected] else { break }
                if page.snapshotXmin >= hole.horizon {
                    // Every transaction that could have written it has ended: rolled back.
                } else if now - hole.since >= maximumWait {
                    settled.skippedAfterWaiting.append(expected)
                } else {
                    return settled
                }
                missing[expected] = nil
                position = expected
                expected += 1
            }
            missing[event.id] = nil
            settled.events.append(event)
            position = event.id
            expected = event.id + 1
        }
        return settled
    }
}

/// What `OutboxFrontier` reads of an event: its id.
public protocol OutboxIdentified: Sendable {
    var id: Int64 { get }
}

extension OutboxEvent: OutboxIdentified {}

/// An event read without its compose: the reader's page while no stream would be sent it.
public struct OutboxEventID: OutboxIdentified, Equatable {
    public var id: Int64

    public init(id: Int64) {
        self.id = id
    }
}
