import NIOCore
import Testing

@testable import ODCSAPI

/// The fan-out state machine as scripts of calls: where streams start, what each is handed,
/// catch-up from the outbox, the caps, and streams that the ring leaves behind.
@Suite struct EventFanoutTests {
    static func fanout(
        maxStreams: Int = 100, perClient: Int = 10, buffered: Int = 8, framesPerWrite: Int = 64
    ) -> EventFanout {
        EventFanout(
            limits: .init(
                maxStreams: maxStreams, maxStreamsPerClient: perClient, bufferedEvents: buffered, bufferedBytes: 1 << 20,
                framesPerWrite: framesPerWrite))
    }

    static func frame(_ id: Int64, compose: Int64 = 1) -> EventFanout.Frame {
        .init(id: id, composeID: compose, bytes: ByteBuffer(string: "id: \(id)\n\n"))
    }

    static func ids(_ next: EventFanout.Next) -> [Int64] {
        if case .frames(let frames) = next { return frames.map(\.id) }
        return []
    }

    @Test func aStreamWithoutLastEventIDStartsWhereTheReaderIs() throws {
        var fanout = Self.fanout()
        let early = try fanout.open(client: "a", composeID: nil, after: nil)
        #expect(fanout.take(early) == .idle)
        fanout.start(at: 10)
        let late = try fanout.open(client: "a", composeID: nil, after: nil)
        _ = fanout.append([Self.frame(11), Self.frame(12)])
        #expect(Self.ids(fanout.take(early)) == [11, 12])
        #expect(Self.ids(fanout.take(late)) == [11, 12])
        #expect(fanout.take(early) == .idle)
    }

    @Test func streamsWaitWhileTheReaderReadsTheRingsWorthBackAndFreshOnesStartAfterItsNewest() throws {
        var fanout = Self.fanout()
        let fresh = try fanout.open(client: "a", composeID: nil, after: nil)
        let resuming = try fanout.open(client: "a", composeID: nil, after: 3)
        // The outbox ended at 6 when the reader began; it reads from 2 on.
        fanout.begin(after: 2, newest: 6)
        _ = fanout.append([Self.frame(3), Self.frame(4)])
        #expect(fanout.take(fresh) == .idle && fanout.take(resuming) == .idle, "nothing is served before the reader has caught up")
        _ = fanout.append([Self.frame(6), Self.frame(7)])
        let first = fanout.serve()
        let again = fanout.serve()
        #expect(first && !again)
        #expect(Self.ids(fanout.take(fresh)) == [7])
        #expect(Self.ids(fanout.take(resuming)) == [4, 6, 7])
        let later = try fanout.open(client: "a", composeID: nil, after: nil)
        _ = fanout.append([Self.frame(8)])
        #expect(Self.ids(fanout.take(later)) == [8])
    }

    @Test func afterASkipAStreamResumingFromBeforeItCatchesUpAndAFreshOneStartsAtItsEnd() throws {
        var fanout = Self.fanout()
        fanout.start(at: 0)
        _ = fanout.append([Self.frame(1), Self.frame(2)])
        // No stream open: the reader moves past 3...5 without rendering them.
        fanout.skip(to: 5)
        #expect(fanout.frames.isEmpty && fanout.position == 5 && fanout.floor == 5)
        let resuming = try fanout.open(client: "a", composeID: nil, after: 2)
        let fresh = try fanout.open(client: "a", composeID: nil, after: nil)
        #expect(fanout.take(resuming) == .catchUp(after: 2, reachesRingAt: 5))
        #expect(fanout.take(fresh) == .idle)
        fanout.advance(resuming, to: 5)
        _ = fanout.append([Self.frame(6)])
        #expect(Self.ids(fanout.take(resuming)) == [6])
        #expect(Self.ids(fanout.take(fresh)) == [6])
    }

    @Test func aStreamOfOneComposeGetsOnlyItsEvents() throws {
        var fanout = Self.fanout()
        fanout.start(at: 0)
        let one = try fanout.open(client: "a", composeID: 7, after: nil)
        _ = fanout.append([Self.frame(1, compose: 6), Self.frame(2, compose: 7), Self.frame(3, compose: 6)])
        #expect(Self.ids(fanout.take(one)) == [2])
        #expect(fanout.take(one) == .idle)
    }

    @Test func aStreamAheadOfTheReaderSkipsWhatItHasSeen() throws {
        var fanout = Self.fanout()
        fanout.start(at: 0)
        let ahead = try fanout.open(client: "a", composeID: nil, after: 2)
        _ = fanout.append([Self.frame(1), Self.frame(2), Self.frame(3)])
        #expect(Self.ids(fanout.take(ahead)) == [3])
    }

    @Test func aResumingStreamCatchesUpFromTheOutboxThenTakesTheRingWithoutRepeats() throws {
        var fanout = Self.fanout()
        fanout.start(at: 100)
        _ = fanout.append([Self.frame(101), Self.frame(102)])
        let resumed = try fanout.open(client: "a", composeID: nil, after: 40)
        #expect(fanout.take(resumed) == .catchUp(after: 40, reachesRingAt: 102))
        // A short page that reached 101 (the database saw the same events as the reader).
        fanout.advance(resumed, to: max(101, 102))
        #expect(fanout.take(resumed) == .idle)
        _ = fanout.append([Self.frame(103)])
        #expect(Self.ids(fanout.take(resumed)) == [103])
    }

    @Test func writesAreBatched() throws {
        var fanout = Self.fanout(buffered: 16, framesPerWrite: 2)
        fanout.start(at: 0)
        let stream = try fanout.open(client: "a", composeID: nil, after: nil)
        _ = fanout.append((1...5).map { Self.frame($0) })
        #expect(Self.ids(fanout.take(stream)) == [1, 2])
        #expect(Self.ids(fanout.take(stream)) == [3, 4])
        #expect(Self.ids(fanout.take(stream)) == [5])
        #expect(fanout.take(stream) == .idle)
    }

    @Test func capsPerNodeAndPerClientAreKeptAndFreedOnRemove() throws {
        var fanout = Self.fanout(maxStreams: 3, perClient: 2)
        let first = try fanout.open(client: "a", composeID: nil, after: nil)
        _ = try fanout.open(client: "a", composeID: nil, after: nil)
        #expect(throws: EventFanout.Refusal.client) { try fanout.open(client: "a", composeID: nil, after: nil) }
        _ = try fanout.open(client: "b", composeID: nil, after: nil)
        #expect(throws: EventFanout.Refusal.node) { try fanout.open(client: "c", composeID: nil, after: nil) }
        let removed = fanout.remove(first)
        let removedAgain = fanout.remove(first)
        #expect(removed && !removedAgain)
        _ = try fanout.open(client: "a", composeID: nil, after: nil)
        #expect(fanout.perClient == ["a": 2, "b": 1])
    }

    @Test func noPerClientCapWhenZero() throws {
        var fanout = Self.fanout(maxStreams: 5, perClient: 0)
        for _ in 0..<5 { _ = try fanout.open(client: "proxy", composeID: nil, after: nil) }
        #expect(throws: EventFanout.Refusal.node) { try fanout.open(client: "proxy", composeID: nil, after: nil) }
    }

    @Test func aLiveStreamTheRingLeavesBehindIsEndedOthersAreNot() throws {
        var fanout = Self.fanout(buffered: 4)
        fanout.start(at: 0)
        let slow = try fanout.open(client: "a", composeID: nil, after: nil)
        let fast = try fanout.open(client: "a", composeID: nil, after: nil)
        let elsewhere = try fanout.open(client: "a", composeID: 9, after: nil)
        _ = fanout.append([Self.frame(1), Self.frame(2)])
        #expect(Self.ids(fanout.take(slow)) == [1, 2])
        #expect(Self.ids(fanout.take(fast)) == [1, 2])
        #expect(fanout.take(elsewhere) == .idle)
        _ = fanout.append([Self.frame(3), Self.frame(4)])
        #expect(Self.ids(fanout.take(fast)) == [3, 4])
        // 5 and 6 push out 1 and 2 (seen by all) ...
        #expect(fanout.append([Self.frame(5), Self.frame(6)]).isEmpty)
        // ... 7 pushes out 3, which the slow stream has not taken; the filtered stream never wanted it.
        #expect(fanout.append([Self.frame(7)]) == [slow])
        #expect(fanout.take(slow) == .ended)
        #expect(Self.ids(fanout.take(fast)) == [5, 6, 7])
        #expect(fanout.take(elsewhere) == .idle)
        #expect(fanout.streams.count == 2)
    }

    @Test func aStreamThatNeverTookFromTheRingCatchesUpInsteadOfEnding() throws {
        var fanout = Self.fanout(buffered: 2)
        fanout.start(at: 0)
        let quiet = try fanout.open(client: "a", composeID: nil, after: nil)
        #expect(fanout.append([Self.frame(1), Self.frame(2), Self.frame(3)]).isEmpty)
        #expect(fanout.take(quiet) == .catchUp(after: 0, reachesRingAt: 3))
    }
}
