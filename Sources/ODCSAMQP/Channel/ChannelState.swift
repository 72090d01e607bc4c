import Logging
import NIOCore

/// One AMQP channel as seen from the event loop: its synchronous methods waiting for replies,
/// its publishes waiting for confirms, its consumers and the message it is receiving.
///
/// The broker answers a channel's synchronous methods in the order they were sent, so replies are
/// matched to a FIFO of waiting promises; several callers may have methods in flight at once.
final class ChannelState {
    enum Status: Equatable {
        case opening
        case open
        /// We sent channel.close and wait for close-ok.
        case closing
        case closed(AMQPError)
    }

    /// A synchronous method waiting for its reply.
    struct PendingReply {
        let promise: EventLoopPromise<Reply>
        /// Registered when basic.consume-ok arrives, before any delivery for it can.
        var consumer: AMQPConsumer.Continuation?
    }

    /// A reply, or for basic.get the message that came with it.
    enum Reply: Sendable {
        case method(AMQPMethod)
        case delivery(AMQPDelivery?)
    }

    let id: UInt16
    let connection: AMQPConnectionHandler
    let logger: Logger
    var status = Status.opening
    var pendingReplies = CircularBuffer<PendingReply>()
    /// Non-nil once confirm.select-ok arrived.
    var confirms: ConfirmTracker<PendingConfirm>?
    /// Publishes held back while the broker blocks the connection or paused the channel.
    var heldPublishes = CircularBuffer<HeldPublish>()
    var flowActive = true
    var consumers: [String: AMQPConsumer.Continuation] = [:]
    var incoming: IncomingContent?

    init(id: UInt16, connection: AMQPConnectionHandler) {
        self.id = id
        self.connection = connection
        var logger = connection.logger
        logger[metadataKey: "amqp_channel"] = "\(id)"
        self.logger = logger
    }

    var eventLoop: any EventLoop { connection.eventLoop }

    /// The error for an operation on a channel that is not open.
    var unusableError: AMQPError? {
        switch status {
        case .open: nil
        case .opening, .closing: .channelClosed(channel: id)
        case .closed(let error): error
        }
    }

    // MARK: Opening and closing

    func open(publisherConfirms: Bool, promise: EventLoopPromise<AMQPChannel>) {
        let opened = eventLoop.makePromise(of: Reply.self)
        send(.channelOpen, promise: opened)
        var last = opened
        if publisherConfirms {
            last = eventLoop.makePromise(of: Reply.self)
            send(.confirmSelect(noWait: false), promise: last)
        }
        // Replies come in order, so the last one succeeding means all did; a failure of the first
        // (channel closed) fails the second too.
        last.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                self.status = .open
                if publisherConfirms { self.confirms = ConfirmTracker() }
                promise.succeed(AMQPChannel(state: self))
            case .failure(let error):
                promise.fail(error)
            }
        }
    }

    /// Sends channel.close; waiting operations fail once close-ok arrives.
    func close(promise: EventLoopPromise<Void>) {
        guard status == .open else {
            if case .closed = status { return promise.succeed() }
            return promise.fail(unusableError ?? .channelClosed(channel: id))
        }
        let closed = eventLoop.makePromise(of: Reply.self)
        sendAllowingClosing(.channelClose(AMQPCloseReason(replyCode: 200, replyText: "Goodbye")), promise: closed)
        status = .closing
        closed.futureResult.map { _ in () }.cascade(to: promise)
    }

    /// Ends the channel once: every reply, confirm and consumer waiting on it fails with `error`.
    func fail(_ error: AMQPError) {
        if case .closed = status { return }
        status = .closed(error)
        connection.channelDidClose(id)
        incoming = nil
        while let pending = pendingReplies.popFirst() {
            pending.consumer?.finish(throwing: error)
            pending.promise.fail(error)
        }
        for held in heldPublishes { held.promise.fail(error) }
        heldPublishes.removeAll()
        for pending in confirms?.removeAll() ?? [] { pending.token.promise.fail(error) }
        for consumer in consumers.values { consumer.finish(throwing: error) }
        consumers.removeAll()
    }

    // MARK: Synchronous methods

    /// Sends a method that has a reply; `promise` gets the reply.
    func send(_ method: AMQPMethod, promise: EventLoopPromise<Reply>, consumer: AMQPConsumer.Continuation? = nil) {
        if let error = unusableError, status != .opening {
            consumer?.finish(throwing: error)
            return promise.fail(error)
        }
        sendAllowingClosing(method, promise: promise, consumer: consumer)
    }

    private func sendAllowingClosing(_ method: AMQPMethod, promise: EventLoopPromise<Reply>, consumer: AMQPConsumer.Continuation? = nil) {
        do {
            try connection.write(.method(channel: id, method))
        } catch {
            consumer?.finish(throwing: error)
            return promise.fail(error)
        }
        pendingReplies.append(PendingReply(promise: promise, consumer: consumer))
    }

    /// Sends a method without a reply (basic.ack, basic.nack, basic.reject).
    func sendWithoutReply(_ method: AMQPMethod, promise: EventLoopPromise<Void>) {
        if let error = unusableError { return promise.fail(error) }
        do {
            try connection.write(.method(channel: id, method)).cascade(to: promise)
        } catch {
            promise.fail(error)
        }
    }

    private func completeNextReply(with reply: Reply) throws {
        guard let pending = pendingReplies.popFirst() else {
            throw AMQPError.protocolViolation("reply \(reply) on channel \(id) without a request")
        }
        if case .method(.basicConsumeOk(let tag)) = reply, let consumer = pending.consumer {
            consumers[tag] = consumer
        }
        pending.promise.succeed(reply)
    }

    // MARK: Incoming frames

    func handle(_ frame: AMQPFrame) throws {
        switch frame {
        case .method(_, let method):
            guard incoming == nil else {
                throw AMQPError.protocolViolation("method \(method.id) on channel \(id) before the previous message was complete")
            }
            try handle(method)
        case .header(_, let header):
            guard var content = incoming else { throw AMQPError.protocolViolation("content header on channel \(id) without a method") }
            try content.receive(header)
            incoming = content
            try deliverIfComplete()
        case .body(_, let body):
            guard var content = incoming else { throw AMQPError.protocolViolation("content body on channel \(id) without a method") }
            try content.receive(body)
            incoming = content
            try deliverIfComplete()
        case .heartbeat:
            break
        }
    }

    private func handle(_ method: AMQPMethod) throws {
        if method.carriesContent {
            incoming = IncomingContent(method: method)
            return
        }
        switch method {
        case .basicAck(let tag, let multiple):
            settleConfirms(tag, multiple: multiple, acked: true)
        case .basicNack(let tag, let multiple, _):
            settleConfirms(tag, multiple: multiple, acked: false)
        case .channelClose(let reason):
            logger.info("broker closed channel", metadata: ["amqp_reply": "\(reason)"])
            _ = try? connection.write(.method(channel: id, .channelCloseOk))
            fail(.channelClosedByBroker(channel: id, reason))
        case .channelCloseOk:
            // Replies come in order, so this answers our channel.close, the last request.
            try completeNextReply(with: .method(method))
            fail(.channelClosed(channel: id))
        case .channelFlow(let active):
            flowActive = active
            _ = try? connection.write(.method(channel: id, .channelFlowOk(active: active)))
            if active { resumePublishing() }
        case .basicCancel(let tag, let noWait):
            // The broker cancels a consumer whose queue went away (consumer_cancel_notify).
            consumers.removeValue(forKey: tag)?.finish()
            if !noWait { _ = try? connection.write(.method(channel: id, .basicCancelOk(consumerTag: tag))) }
        case .basicCancelOk(let tag):
            consumers.removeValue(forKey: tag)?.finish()
            try completeNextReply(with: .method(method))
        case .basicGetEmpty:
            try completeNextReply(with: .delivery(nil))
        case .channelOpenOk, .confirmSelectOk, .exchangeDeclareOk, .exchangeDeleteOk, .queueDeclareOk, .queueBindOk,
            .queuePurgeOk, .queueDeleteOk, .basicQosOk, .basicConsumeOk, .channelFlowOk:
            try completeNextReply(with: .method(method))
        default:
            throw AMQPError.protocolViolation("unexpected method \(method.id) on channel \(id)")
        }
    }

    private func deliverIfComplete() throws {
        guard let content = incoming, let message = content.message(channel: self) else { return }
        incoming = nil
        switch content.method {
        case .basicDeliver(let deliver):
            guard let consumer = consumers[deliver.consumerTag] else {
                logger.debug("delivery for unknown consumer", metadata: ["amqp_consumer": "\(deliver.consumerTag)"])
                return
            }
            consumer.yield(message)
        case .basicGetOk:
            try completeNextReply(with: .delivery(message))
        case .basicReturn(let returned):
            handleReturn(returned, properties: message.properties)
        default:
            break
        }
    }
}
