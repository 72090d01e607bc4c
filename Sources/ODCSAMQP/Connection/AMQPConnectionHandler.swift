import Logging
import NIOCore

/// The AMQP connection as seen from the event loop: handshake, heartbeats, connection-level
/// methods and dispatch of channel frames to their ``ChannelState``.
///
/// Everything here runs on the connection's event loop; the public ``AMQPConnection`` and
/// ``AMQPChannel`` reach it through `NIOLoopBound`. When the connection ends for any reason,
/// ``fail(_:)`` runs once and fails every waiting operation on every channel, so no caller hangs.
final class AMQPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = AMQPFrame
    typealias OutboundOut = ByteBuffer

    enum State {
        case awaitingStart
        case awaitingTune
        case awaitingOpenOk
        case open
        /// We sent connection.close and wait for close-ok.
        case closing
        case closed
    }

    let configuration: AMQPConfiguration
    let logger: Logger
    let status: ConnectionStatus
    private(set) var state = State.awaitingStart
    /// Succeeds on connection.open-ok; fails if the handshake does not get there.
    let handshakePromise: EventLoopPromise<Void>
    /// Succeeds when the socket closed after our own close(), fails with the reason otherwise.
    let closePromise: EventLoopPromise<Void>
    private(set) var failure: AMQPError?
    private(set) var tune = AMQPMethod.Tune(channelMax: 0, frameMax: AMQPFrame.minimumFrameMax, heartbeat: 0)
    private(set) var blocked = false
    private var context: ChannelHandlerContext?
    private var channels: [UInt16: ChannelState] = [:]
    private var nextChannelID: UInt16 = 1
    private var lastRead = NIODeadline.now()
    private var lastWrite = NIODeadline.now()
    private var heartbeatTask: Scheduled<Void>?
    private var handshakeTimeout: Scheduled<Void>?

    init(configuration: AMQPConfiguration, logger: Logger, status: ConnectionStatus, eventLoop: any EventLoop) {
        self.configuration = configuration
        self.logger = logger
        self.status = status
        self.handshakePromise = eventLoop.makePromise()
        self.closePromise = eventLoop.makePromise()
    }

    var isUsable: Bool { failure == nil && state == .open }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard handshakeTimeout == nil else { return }
        let limit = configuration.connectTimeout
        handshakeTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limit)) { [self] in
            guard state != .open, failure == nil else { return }
            fail(.connectTimedOut(host: configuration.host, port: configuration.port, after: limit))
        }
        var header = context.channel.allocator.buffer(capacity: 8)
        header.writeBytes(AMQPFrame.protocolHeader)
        write(header)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        let frame = unwrapInboundIn(data)
        do {
            switch frame {
            case .heartbeat:
                break
            case .method(0, let method):
                try handleConnectionMethod(method)
            case .header(0, _), .body(0, _):
                throw AMQPError.protocolViolation("content frame on channel 0")
            default:
                guard let channel = channels[frame.channel] else {
                    logger.debug("dropping frame for closed channel", metadata: ["amqp_channel": "\(frame.channel)"])
                    return
                }
                try channel.handle(frame)
            }
        } catch let error as AMQPError {
            fail(error)
        } catch {
            fail(.protocolViolation("\(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionLost(reason: "the broker closed the socket"))
        heartbeatTask?.cancel()
        handshakeTimeout?.cancel()
        state = .closed
        if case .connectionClosed = failure {
            closePromise.succeed()
        } else {
            closePromise.fail(failure ?? .connectionLost(reason: "the socket closed"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? AMQPError {
            fail(error)
        } else if state != .open && state != .closing && failure == nil {
            // TLS and decoding errors during the handshake are connect failures to the caller.
            fail(.connectFailed(host: configuration.host, port: configuration.port, reason: "\(error)"))
        } else {
            fail(.connectionLost(reason: "\(error)"))
        }
    }

    // MARK: Writing

    /// Writes and flushes; every write counts as a sign of life for the heartbeat.
    @discardableResult
    func write(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard let context else {
            return closePromise.futureResult.eventLoop.makeFailedFuture(failure ?? AMQPError.connectionClosed)
        }
        lastWrite = .now()
        return context.writeAndFlush(wrapOutboundOut(buffer))
    }

    /// Encodes first, so a frame we cannot encode fails its operation and not the connection.
    @discardableResult
    func write(_ frames: AMQPFrame...) throws -> EventLoopFuture<Void> {
        try write(encode(frames))
    }

    func encode(_ frames: [AMQPFrame]) throws -> ByteBuffer {
        var buffer = (context?.channel.allocator ?? ByteBufferAllocator()).buffer(capacity: 256)
        for frame in frames { try buffer.writeAMQPFrame(frame) }
        return buffer
    }

    /// The largest body slice that fits in one frame.
    var maximumBodyFrameSize: Int { Int(tune.frameMax) - AMQPFrame.overhead }

    var eventLoop: any EventLoop { closePromise.futureResult.eventLoop }

    // MARK: Connection methods

    private func handleConnectionMethod(_ method: AMQPMethod) throws {
        switch (state, method) {
        case (.awaitingStart, .connectionStart(let start)):
            guard start.mechanisms.split(separator: " ").contains("PLAIN") else {
                throw AMQPError.unsupportedAuthenticationMechanism(offered: start.mechanisms)
            }
            let product = start.serverProperties["product"].map { "\($0)" } ?? "?"
            logger.debug("broker says hello", metadata: ["amqp_server": "\(product)"])
            state = .awaitingTune
            try write(.method(channel: 0, .connectionStartOk(ClientProperties.startOk(for: configuration))))
        case (.awaitingTune, .connectionTune(let offered)):
            let wanted = AMQPMethod.Tune(
                channelMax: configuration.channelMax,
                frameMax: configuration.frameMax,
                heartbeat: UInt16(clamping: Int((configuration.heartbeat + .nanoseconds(999_999_999)).components.seconds))
            )
            tune = TuneNegotiation.negotiate(client: wanted, server: offered)
            state = .awaitingOpenOk
            try write(
                .method(channel: 0, .connectionTuneOk(tune)),
                .method(channel: 0, .connectionOpen(virtualHost: configuration.virtualHost))
            )
        case (.awaitingOpenOk, .connectionOpenOk):
            state = .open
            handshakeTimeout?.cancel()
            startHeartbeats()
            logger.debug(
                "connection open",
                metadata: [
                    "amqp_frame_max": "\(tune.frameMax)", "amqp_heartbeat": "\(tune.heartbeat)", "amqp_channel_max": "\(tune.channelMax)",
                ]
            )
            handshakePromise.succeed()
        case (_, .connectionClose(let reason)):
            // Answer first so the broker can release the connection, then fail everything.
            _ = try? write(.method(channel: 0, .connectionCloseOk))
            if state != .open && state != .closing && reason.replyCode == 403 {
                fail(.accessRefused(username: configuration.username, virtualHost: configuration.virtualHost, replyText: reason.replyText))
            } else {
                fail(.connectionClosedByBroker(reason))
            }
        case (.closing, .connectionCloseOk):
            context?.close(promise: nil)
        case (.open, .connectionBlocked(let reason)), (.closing, .connectionBlocked(let reason)):
            logger.warning("broker blocked publishing", metadata: ["amqp_reason": "\(reason)"])
            blocked = true
        case (.open, .connectionUnblocked), (.closing, .connectionUnblocked):
            logger.info("broker unblocked publishing")
            blocked = false
            for channel in channels.values { channel.resumePublishing() }
        default:
            throw AMQPError.protocolViolation("unexpected connection method \(method.id) in state \(state)")
        }
    }

    private func startHeartbeats() {
        guard tune.heartbeat > 0 else { return }
        scheduleHeartbeatTick(HeartbeatMonitor(interval: .seconds(Int64(tune.heartbeat))))
    }

    /// One tick per half interval, each scheduling the next, until the connection ends.
    private func scheduleHeartbeatTick(_ monitor: HeartbeatMonitor) {
        guard let context, failure == nil else { return }
        heartbeatTask = context.eventLoop.assumeIsolated().scheduleTask(in: monitor.tickInterval) { [self] in
            switch monitor.action(now: .now(), lastRead: lastRead, lastWrite: lastWrite) {
            case .none:
                break
            case .sendHeartbeat:
                _ = try? write(.heartbeat)
            case .timeOut:
                return fail(.heartbeatTimeout(after: Duration(monitor.deadAfter)))
            }
            scheduleHeartbeatTick(monitor)
        }
    }

    // MARK: Channels

    /// Allocates a channel number and sends channel.open; the promise succeeds on open-ok.
    func openChannel(publisherConfirms: Bool, promise: EventLoopPromise<AMQPChannel>) {
        guard isUsable else { return promise.fail(failure ?? AMQPError.connectionClosed) }
        let limit = tune.channelMax == 0 ? UInt16.max : tune.channelMax
        guard channels.count < Int(limit) else {
            return promise.fail(
                AMQPError.invalidConfiguration(key: "channel_max", reason: "all \(limit) channels are open; close some before opening more")
            )
        }
        // Numbers rotate instead of reusing the lowest free one, so frames still in flight for a
        // just-closed channel cannot land on its successor.
        while channels[nextChannelID] != nil { nextChannelID = nextChannelID >= limit ? 1 : nextChannelID + 1 }
        let id = nextChannelID
        nextChannelID = nextChannelID >= limit ? 1 : nextChannelID + 1
        let channel = ChannelState(id: id, connection: self)
        channels[id] = channel
        channel.open(publisherConfirms: publisherConfirms, promise: promise)
    }

    func channelDidClose(_ id: UInt16) {
        channels[id] = nil
    }

    // MARK: Closing

    /// Sends connection.close and lets the close-ok (or a 5 s timer) close the socket.
    func close() {
        guard failure == nil, let context else { return }
        fail(.connectionClosed)
        state = .closing
        _ = try? write(.method(channel: 0, .connectionClose(AMQPCloseReason(replyCode: 200, replyText: "Goodbye"))))
        context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(5)) { [weak self] in self?.context?.close(promise: nil) }
    }

    /// Ends the connection once: fails the handshake if it is still running, every channel's waiting
    /// operations, and closes the socket unless this is our own orderly close.
    func fail(_ error: AMQPError) {
        guard failure == nil else { return }
        failure = error
        status.markClosed()
        heartbeatTask?.cancel()
        handshakeTimeout?.cancel()
        if error != .connectionClosed {
            logger.info("connection ended", metadata: ["amqp_error": "\(error)"])
        }
        handshakePromise.fail(error)
        let open = channels.values
        channels.removeAll()
        for channel in open { channel.fail(error) }
        if error != .connectionClosed { context?.close(promise: nil) }
    }
}
