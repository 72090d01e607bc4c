import NIOCore

/// An AMQP channel: where exchanges and queues are declared, messages published and consumed.
///
/// Methods may be called from any task, concurrently. Publishes are pipelined: many can wait for
/// their confirms at once and each is matched to its confirm by delivery tag. When the broker
/// closes the channel (for example 404 after publishing to a missing exchange) every waiting
/// operation fails with ``AMQPError/channelClosedByBroker(channel:_:)``; the connection stays
/// usable, so open a new channel.
public final class AMQPChannel: Sendable {
    let state: NIOLoopBound<ChannelState>
    let eventLoop: any EventLoop
    /// The channel number on the connection.
    public let id: UInt16

    /// Created on the event loop, which is the only place the state may be touched.
    init(state: ChannelState) {
        self.state = NIOLoopBound(state, eventLoop: state.eventLoop)
        self.eventLoop = state.eventLoop
        self.id = state.id
    }

    /// Runs `body` on the event loop with the channel's state and waits for its promise.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (ChannelState, EventLoopPromise<T>) -> Void) -> EventLoopFuture<T> {
        let promise = eventLoop.makePromise(of: T.self)
        let state = state
        if eventLoop.inEventLoop {
            body(state.value, promise)
        } else {
            eventLoop.execute { body(state.value, promise) }
        }
        return promise.futureResult
    }

    func call(_ method: AMQPMethod) async throws -> ChannelState.Reply {
        try await onLoop { state, promise in state.send(method, promise: promise) }.get()
    }

    // MARK: Publishing

    /// Publishes a message and returns once the broker confirmed it (basic.ack).
    ///
    /// Throws ``AMQPError/publishNacked(deliveryTag:)`` on basic.nack,
    /// ``AMQPError/messageReturned(replyCode:replyText:exchange:routingKey:)`` when `mandatory` and
    /// no queue matched, and the channel's or connection's error when either closes first. While
    /// the broker blocks the connection (resource alarm) the message waits here. Cancelling the
    /// task does not withdraw a message already handed over. Without publisher confirms this
    /// returns once the message is written to the socket.
    public func publish(
        exchange: String,
        routingKey: String,
        body: ByteBuffer,
        properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false
    ) async throws {
        try await startPublish(exchange: exchange, routingKey: routingKey, body: body, properties: properties, mandatory: mandatory).get()
    }

    /// ``publish(exchange:routingKey:body:properties:mandatory:)`` for a byte array.
    public func publish(
        exchange: String,
        routingKey: String,
        body: [UInt8],
        properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false
    ) async throws {
        try await publish(
            exchange: exchange, routingKey: routingKey, body: ByteBuffer(bytes: body), properties: properties, mandatory: mandatory)
    }

    /// Hands a message over without waiting; the future completes as ``publish(exchange:routingKey:body:properties:mandatory:)``
    /// returns or throws.
    ///
    /// Messages started from one task go on the wire in call order, so a loop over rows can keep
    /// many in flight without a task per message and the broker sees them in row order.
    public func startPublish(
        exchange: String,
        routingKey: String,
        body: ByteBuffer,
        properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false
    ) -> EventLoopFuture<Void> {
        onLoop { state, promise in
            state.publish(
                exchange: exchange, routingKey: routingKey, body: body, properties: properties, mandatory: mandatory, promise: promise)
        }
    }

    // MARK: Topology

    /// Declares an exchange; with `passive` only checks that it exists (404 closes the channel if not).
    public func declareExchange(
        _ name: String,
        type: String = "topic",
        durable: Bool = true,
        autoDelete: Bool = false,
        passive: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws {
        _ = try await call(
            .exchangeDeclare(
                .init(exchange: name, type: type, passive: passive, durable: durable, autoDelete: autoDelete, arguments: arguments))
        )
    }

    public func deleteExchange(_ name: String, ifUnused: Bool = false) async throws {
        _ = try await call(.exchangeDelete(exchange: name, ifUnused: ifUnused))
    }

    /// Declares a queue; an empty name asks the broker for a unique one, returned in the result.
    @discardableResult
    public func declareQueue(
        _ name: String = "",
        durable: Bool = false,
        exclusive: Bool = false,
        autoDelete: Bool = false,
        passive: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws -> AMQPQueueInfo {
        let reply = try await call(
            .queueDeclare(
                .init(queue: name, passive: passive, durable: durable, exclusive: exclusive, autoDelete: autoDelete, arguments: arguments)
            )
        )
        guard case .method(.queueDeclareOk(let queue, let messageCount, let consumerCount)) = reply else {
            throw AMQPError.protocolViolation("queue.declare answered with \(reply)")
        }
        return AMQPQueueInfo(name: queue, messageCount: messageCount, consumerCount: consumerCount)
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String, arguments: AMQPTable = [:]) async throws {
        _ = try await call(.queueBind(.init(queue: queue, exchange: exchange, routingKey: routingKey, arguments: arguments)))
    }

    /// Deletes a queue and returns how many messages it held.
    @discardableResult
    public func deleteQueue(_ name: String, ifUnused: Bool = false, ifEmpty: Bool = false) async throws -> UInt32 {
        guard case .method(.queueDeleteOk(let count)) = try await call(.queueDelete(queue: name, ifUnused: ifUnused, ifEmpty: ifEmpty))
        else {
            throw AMQPError.protocolViolation("queue.delete answered with something else")
        }
        return count
    }

    // MARK: Closing

    /// Closes the channel in order; waiting operations fail with ``AMQPError/channelClosed(channel:)``.
    public func close() async throws {
        try await onLoop { state, promise in state.close(promise: promise) }.get()
    }

    /// False once the channel is closed, by either side, or its connection ended.
    public var isOpen: Bool {
        get async {
            (try? await onLoop { state, promise in promise.succeed(state.status == .open) }.get()) ?? false
        }
    }
}

/// What queue.declare-ok reports.
public struct AMQPQueueInfo: Sendable, Hashable {
    public var name: String
    public var messageCount: UInt32
    public var consumerCount: UInt32
}
