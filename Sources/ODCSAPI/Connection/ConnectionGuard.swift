import HTTPTypes
import Logging
import Metrics
import NIOCore
import NIOHTTPTypes

/// Closes an HTTP/1.1 connection whose client is too slow (`ConnectionDeadlines`) and
/// refuses a request whose `Transfer-Encoding` we cannot frame, before Hummingbird sees it.
///
/// It sits between the HTTP codec and Hummingbird's own handlers, so it sees request and
/// response parts; `ByteWatcher`, at the front of the pipeline, tells it when raw bytes
/// arrive, which a request head still in transit does not show as a part.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limits: ConnectionDeadlines.Limits
    let logger: Logger
    var deadlines: ConnectionDeadlines?
    var context: ChannelHandlerContext?
    var timer: Scheduled<Void>?
    var timerDeadline: NIODeadline?
    /// A refused request's connection: everything else it sends is dropped until it closes.
    var refused = false

    init(limits: ConnectionDeadlines.Limits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    private func start() {
        guard deadlines == nil else { return }
        deadlines = ConnectionDeadlines(limits: limits, openedAt: .now())
        rearm()
    }

    /// Called by `ByteWatcher` for every read from the socket; only the first bytes of a
    /// request are timed (the rest of its reads cost nothing here).
    func bytesReceived() {
        guard deadlines?.awaitsFirstByte == true else { return }
        deadlines?.bytesReceived(at: .now())
        rearm()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let request):
            if let status = Self.transferEncodingProblem(request.headerFields) {
                refuse(context, status: status)
                return
            }
            deadlines?.headReceived(at: .now())
        case .body:
            break
        case .end:
            deadlines?.requestEnded(at: .now())
        }
        rearm()
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            deadlines?.responseEnded(at: .now())
            rearm()
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The HTTP parser fails on a refused request's body after its head; that is answered.
        guard !refused else { return }
        context.fireErrorCaught(error)
    }

    /// Schedules the close for the next deadline, unless a timer for an earlier or equal one
    /// is pending (it re-checks when it fires): body parts then cost no rescheduling. While the
    /// server has the turn there is no deadline, and a pending timer is left to fire and find
    /// nothing to do, rather than cancelled and scheduled again for every request.
    private func rearm() {
        guard let context, let next = deadlines?.next else { return }
        if let timerDeadline, timerDeadline <= next.deadline { return }
        cancelTimer()
        timerDeadline = next.deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: next.deadline) { [self] in
            timer = nil
            timerDeadline = nil
            fire()
        }
    }

    private func fire() {
        guard let context, let deadlines else { return }
        guard let timeout = deadlines.expired(at: .now()) else {
            rearm()
            return
        }
        logger.debug("closing a slow HTTP connection", metadata: ["timeout": "\(timeout.rawValue)"])
        Counter(label: "odcs_http_connection_timeouts_total", dimensions: [("timeout", timeout.rawValue)]).increment()
        self.deadlines = nil
        context.close(promise: nil)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }

    /// Answers `status` and closes the connection; the request never reaches a route.
    private func refuse(_ context: ChannelHandlerContext, status: HTTPResponse.Status) {
        refused = true
        deadlines = nil
        cancelTimer()
        let head = HTTPResponse(status: status, headerFields: [.connection: "close", .contentLength: "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// Why a request's `Transfer-Encoding` cannot be read, as the answer's status; nil when it
    /// is absent or just `chunked`. RFC 9112 §6.3: when chunked is not the final coding the
    /// body's length is unknown (400); §6.1: a coding the server does not implement (501).
    static func transferEncodingProblem(_ fields: HTTPFields) -> HTTPResponse.Status? {
        let values = fields[values: .transferEncoding]
        guard !values.isEmpty else { return nil }
        let codings = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIIWhitespace().lowercased() }
        guard codings.last == "chunked" else { return .badRequest }
        return codings.count == 1 ? nil : .notImplemented
    }

    /// The front of the pipeline: reports every read of raw bytes to the guard.
    final class ByteWatcher: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer

        let connectionGuard: ConnectionGuard

        init(_ connectionGuard: ConnectionGuard) {
            self.connectionGuard = connectionGuard
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            connectionGuard.bytesReceived()
            context.fireChannelRead(data)
        }
    }
}

extension Substring {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

@available(*, unavailable)
extension ConnectionGuard.ByteWatcher: Sendable {}
