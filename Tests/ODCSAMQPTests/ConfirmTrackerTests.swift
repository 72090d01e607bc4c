import NIOCore
import Testing

@testable import ODCSAMQP

@Suite struct ConfirmTrackerTests {
    private func tracker(_ count: Int) -> ConfirmTracker<String> {
        var tracker = ConfirmTracker<String>()
        for i in 1...count { _ = tracker.register("m\(i)") }
        return tracker
    }

    @Test func tagsStartAtOneAndGrow() {
        var tracker = ConfirmTracker<String>()
        #expect(tracker.register("a") == 1)
        #expect(tracker.register("b") == 2)
        #expect(tracker.nextDeliveryTag == 3)
    }

    @Test func multipleAckSettlesThePrefix() {
        var tracker = tracker(5)
        #expect(tracker.settle(3, multiple: true).map(\.token) == ["m1", "m2", "m3"])
        #expect(tracker.count == 2)
        #expect(tracker.settle(5, multiple: true).map(\.tag) == [4, 5])
    }

    @Test func singleAckOutOfOrderSettlesOnlyThatTag() {
        var tracker = tracker(3)
        #expect(tracker.settle(2, multiple: false).map(\.token) == ["m2"])
        #expect(tracker.settle(2, multiple: false).isEmpty)
        #expect(tracker.settle(3, multiple: true).map(\.token) == ["m1", "m3"])
    }

    @Test func returnedMessageIsRemovedByMatch() {
        var tracker = tracker(3)
        #expect(tracker.removeFirst { $0 == "m2" }?.tag == 2)
        #expect(tracker.removeAll().map(\.tag) == [1, 3])
        #expect(tracker.count == 0)
    }
}

@Suite struct TuneNegotiationTests {
    @Test func smallerNonZeroValueWins() {
        #expect(TuneNegotiation.negotiate(client: UInt16(2), server: 60) == 2)
        #expect(TuneNegotiation.negotiate(client: UInt32(131_072), server: 4096) == 4096)
    }

    @Test func zeroMeansTheOtherSide() {
        #expect(TuneNegotiation.negotiate(client: UInt16(0), server: 60) == 60)
        #expect(TuneNegotiation.negotiate(client: UInt32(131_072), server: 0) == 131_072)
    }
}

@Suite struct HeartbeatMonitorTests {
    let monitor = HeartbeatMonitor(interval: .seconds(2))
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    @Test func quietWhenBothDirectionsAreBusy() {
        #expect(monitor.action(now: start + .milliseconds(900), lastRead: start, lastWrite: start) == .none)
    }

    @Test func sendsAfterHalfAnIntervalWithoutWriting() {
        #expect(monitor.action(now: start + .seconds(1), lastRead: start + .seconds(1), lastWrite: start) == .sendHeartbeat)
    }

    @Test func timesOutAfterTwoSilentIntervals() {
        #expect(monitor.action(now: start + .milliseconds(3999), lastRead: start, lastWrite: start + .seconds(3)) == .none)
        #expect(monitor.action(now: start + .seconds(4), lastRead: start, lastWrite: start + .seconds(3)) == .timeOut)
    }
}
