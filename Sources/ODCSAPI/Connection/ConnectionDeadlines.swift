import NIOCore

/// When one HTTP/1.1 connection must have made progress, as a value that takes the
/// connection's events and answers with the next deadline. `ConnectionGuard` drives it and
/// closes the connection when a deadline passes; tests drive it as a script of events.
///
/// - **header**: a request head must be complete within `header` of the connection's
///   opening, or, on a kept-alive connection, of the first byte of the next request. Bytes
///   that trickle in do not extend it (slowloris).
/// - **body**: a request body must be complete within `body` of its head, however steadily
///   it trickles.
/// - **idle**: a kept-alive connection may stay silent for `idle` after a response ends.
///
/// While the server has the turn (a request was read and its response is not finished) no
/// deadline runs: a slow compose list or an event stream is not the client's delay.
struct ConnectionDeadlines: Sendable {
    enum Timeout: String, Sendable {
        case header, body, idle
    }

    struct Limits: Sendable, Equatable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
    }

    let limits: Limits
    /// Since when the connection awaits a request head; nil while a request is read or answered.
    private(set) var waitingSince: NIODeadline?
    /// The first byte received while waiting (the opening counts as one: a new connection's
    /// first request runs on the header deadline at once).
    private(set) var firstByteAt: NIODeadline?
    /// When the head of the request whose body is being read arrived.
    private(set) var bodySince: NIODeadline?
    /// Requests whose head arrived and whose response has not ended.
    private(set) var unanswered = 0

    init(limits: Limits, openedAt now: NIODeadline) {
        self.limits = limits
        waitingSince = now
        firstByteAt = now
    }

    /// Whether the next raw bytes would start a header deadline (only then must they be timed).
    var awaitsFirstByte: Bool { waitingSince != nil && firstByteAt == nil }

    /// Raw bytes arrived. While waiting for a request, the first of them starts its header deadline.
    mutating func bytesReceived(at now: NIODeadline) {
        if waitingSince != nil, firstByteAt == nil { firstByteAt = now }
    }

    mutating func headReceived(at now: NIODeadline) {
        unanswered += 1
        bodySince = now
        waitingSince = nil
        firstByteAt = nil
    }

    mutating func requestEnded(at now: NIODeadline) {
        bodySince = nil
        if unanswered == 0 { waitFromNow(now) }
    }

    mutating func responseEnded(at now: NIODeadline) {
        unanswered = max(0, unanswered - 1)
        if unanswered == 0, bodySince == nil { waitFromNow(now) }
    }

    private mutating func waitFromNow(_ now: NIODeadline) {
        waitingSince = now
        firstByteAt = nil
    }

    /// The next deadline and what it is for; nil while the server has the turn.
    var next: (deadline: NIODeadline, timeout: Timeout)? {
        if let bodySince { return (bodySince + limits.body, .body) }
        guard unanswered == 0, let waitingSince else { return nil }
        if let firstByteAt { return (firstByteAt + limits.header, .header) }
        return (waitingSince + limits.idle, .idle)
    }

    /// The timeout that has passed at `now`, if any.
    func expired(at now: NIODeadline) -> Timeout? {
        guard let next, now >= next.deadline else { return nil }
        return next.timeout
    }
}
