import NIOCore

extension AMQPChannel {
    /// Limits unacknowledged deliveries to this channel's consumers, which bounds the memory a
    /// slow consumer can use (deliveries are buffered until iterated).
    public func qos(prefetchCount: UInt16, global: Bool = false) async throws {
        _ = try await call(.basicQos(prefetchSize: 0, prefetchCount: prefetchCount, global: global))
    }

    /// Starts a consumer; iterate the result for deliveries.
    ///
    /// The sequence ends when the consumer is cancelled (by ``AMQPConsumer/cancel()`` or by the
    /// broker when the queue is deleted) and throws when the channel or connection closes.
    /// Without `noAck`, acknowledge each delivery with ``AMQPDelivery/ack(multiple:)``.
    public func consume(
        queue: String,
        consumerTag: String = "",
        noAck: Bool = false,
        exclusive: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws -> AMQPConsumer {
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        let method = AMQPMethod.basicConsume(
            .init(queue: queue, consumerTag: consumerTag, noAck: noAck, exclusive: exclusive, arguments: arguments))
        let reply = try await onLoop { state, promise in state.send(method, promise: promise, consumer: continuation) }.get()
        guard case .method(.basicConsumeOk(let tag)) = reply else {
            throw AMQPError.protocolViolation("basic.consume answered with \(reply)")
        }
        return AMQPConsumer(tag: tag, stream: stream, channel: self)
    }

    /// Fetches one message, or nil when the queue is empty (basic.get).
    public func get(queue: String, noAck: Bool = false) async throws -> AMQPDelivery? {
        guard case .delivery(let delivery) = try await call(.basicGet(queue: queue, noAck: noAck)) else {
            throw AMQPError.protocolViolation("basic.get answered with a method instead of a message")
        }
        return delivery
    }

    public func ack(deliveryTag: UInt64, multiple: Bool = false) async throws {
        try await sendWithoutReply(.basicAck(deliveryTag: deliveryTag, multiple: multiple))
    }

    public func nack(deliveryTag: UInt64, multiple: Bool = false, requeue: Bool = true) async throws {
        try await sendWithoutReply(.basicNack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue))
    }

    public func cancel(consumerTag: String) async throws {
        _ = try await call(.basicCancel(consumerTag: consumerTag, noWait: false))
    }

    private func sendWithoutReply(_ method: AMQPMethod) async throws {
        try await onLoop { state, promise in state.sendWithoutReply(method, promise: promise) }.get()
    }
}

/// A message from a queue: pushed to a consumer (basic.deliver) or fetched (basic.get).
public struct AMQPDelivery: Sendable {
    public var exchange: String
    public var routingKey: String
    public var redelivered: Bool
    /// Unique on its channel; what ``ack(multiple:)`` acknowledges.
    public var deliveryTag: UInt64
    /// Nil for basic.get.
    public var consumerTag: String?
    public var properties: AMQPProperties
    public var body: ByteBuffer
    let channel: AMQPChannel?

    /// Acknowledges this delivery (and with `multiple` all earlier ones on the channel).
    public func ack(multiple: Bool = false) async throws {
        try await channel?.ack(deliveryTag: deliveryTag, multiple: multiple)
    }

    /// Rejects this delivery; with `requeue` the broker delivers it again.
    public func nack(requeue: Bool = true, multiple: Bool = false) async throws {
        try await channel?.nack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue)
    }
}

/// The deliveries of one consumer, as an async sequence.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    typealias Continuation = AsyncThrowingStream<AMQPDelivery, any Error>.Continuation

    /// The consumer tag, chosen by the broker unless given to ``AMQPChannel/consume(queue:consumerTag:noAck:exclusive:arguments:)``.
    public let tag: String
    let stream: AsyncThrowingStream<AMQPDelivery, any Error>
    let channel: AMQPChannel

    public func makeAsyncIterator() -> AsyncThrowingStream<AMQPDelivery, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }

    /// Stops deliveries (basic.cancel); the sequence ends after those already received.
    public func cancel() async throws {
        try await channel.cancel(consumerTag: tag)
    }
}
