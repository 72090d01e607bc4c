import HTTPTypes
import NIOCore
import Testing

@testable import ODCSAPI

/// `ConnectionDeadlines` as scripts of connection events with explicit times.
@Suite struct ConnectionDeadlinesTests {
    let limits = ConnectionDeadlines.Limits(header: .seconds(10), body: .seconds(60), idle: .seconds(75))
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func at(_ seconds: Int64) -> NIODeadline { start + .seconds(seconds) }

    @Test func aNewConnectionMustSendItsHeadWithinTheHeaderTimeoutWhateverTrickles() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        #expect(deadlines.next?.timeout == .header && deadlines.next?.deadline == at(10))
        deadlines.bytesReceived(at: at(3))
        deadlines.bytesReceived(at: at(9))
        #expect(deadlines.next?.deadline == at(10))
        #expect(deadlines.expired(at: at(9)) == nil)
        #expect(deadlines.expired(at: at(10)) == .header)
    }

    @Test func aBodyMustEndWithinTheBodyTimeoutOfItsHead() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(2))
        #expect(deadlines.next?.timeout == .body && deadlines.next?.deadline == at(62))
        deadlines.bytesReceived(at: at(30))
        #expect(deadlines.next?.deadline == at(62))
        #expect(deadlines.expired(at: at(62)) == .body)
    }

    @Test func noDeadlineRunsWhileTheServerAnswers() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(1))
        deadlines.requestEnded(at: at(1))
        #expect(deadlines.next == nil)
        #expect(deadlines.expired(at: at(100_000)) == nil)
    }

    @Test func aKeptAliveConnectionIdlesThenRunsOnTheHeaderDeadlineFromItsFirstByte() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(1))
        deadlines.requestEnded(at: at(1))
        deadlines.responseEnded(at: at(5))
        #expect(deadlines.next?.timeout == .idle && deadlines.next?.deadline == at(80))
        deadlines.bytesReceived(at: at(50))
        #expect(deadlines.next?.timeout == .header && deadlines.next?.deadline == at(60))
        deadlines.headReceived(at: at(52))
        #expect(deadlines.next?.timeout == .body)
    }

    @Test func anEarlyAnswerLeavesTheBodyDeadlineThenIdles() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(1))
        deadlines.responseEnded(at: at(2))  // e.g. 413 before the body is read
        #expect(deadlines.next?.timeout == .body && deadlines.next?.deadline == at(61))
        deadlines.requestEnded(at: at(3))
        #expect(deadlines.next?.timeout == .idle && deadlines.next?.deadline == at(78))
    }

    @Test func pipelinedRequestsKeepTheServersTurnUntilTheLastAnswer() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: at(0))
        deadlines.headReceived(at: at(1))
        deadlines.requestEnded(at: at(1))
        deadlines.headReceived(at: at(1))
        deadlines.requestEnded(at: at(1))
        deadlines.responseEnded(at: at(4))
        #expect(deadlines.next == nil)
        deadlines.responseEnded(at: at(6))
        #expect(deadlines.next?.timeout == .idle && deadlines.next?.deadline == at(81))
    }

    @Test func transferEncodingsOtherThanChunkedAreRefused() {
        func status(_ values: [String]) -> Int? {
            var fields = HTTPFields()
            for value in values { fields.append(HTTPField(name: .transferEncoding, value: value)) }
            return ConnectionGuard.transferEncodingProblem(fields)?.code
        }
        #expect(status([]) == nil)
        #expect(status(["chunked"]) == nil)
        #expect(status(["Chunked "]) == nil)
        #expect(status(["xchunked"]) == 400)
        #expect(status(["chunked, gzip"]) == 400)
        #expect(status(["gzip"]) == 400)
        #expect(status(["gzip, chunked"]) == 501)
        #expect(status(["gzip", "chunked"]) == 501)
    }
}
