import NIOCore

/// A message being received: its method (deliver, get-ok or return), then a header frame with
/// the size and properties, then body frames until the size is reached.
struct IncomingContent {
    let method: AMQPMethod
    private var header: AMQPFrame.ContentHeader?
    private var body: ByteBuffer?

    init(method: AMQPMethod) {
        self.method = method
    }

    mutating func receive(_ header: AMQPFrame.ContentHeader) throws {
        guard self.header == nil else { throw AMQPError.protocolViolation("second content header for one message") }
        self.header = header
    }

    mutating func receive(_ slice: ByteBuffer) throws {
        guard let header else { throw AMQPError.protocolViolation("content body before its header") }
        var slice = slice
        if body == nil {
            // One allocation of the announced size (up to 16 MiB) instead of growing frame by frame.
            body = ByteBufferAllocator().buffer(capacity: Int(min(header.bodySize, 16 << 20)))
        }
        body?.writeBuffer(&slice)
        guard UInt64(body?.readableBytes ?? 0) <= header.bodySize else {
            throw AMQPError.protocolViolation("content body longer than the \(header.bodySize) bytes announced")
        }
    }

    /// The message once all of its body has arrived, else nil.
    func message(channel: ChannelState) -> AMQPDelivery? {
        guard let header, UInt64(body?.readableBytes ?? 0) == header.bodySize else { return nil }
        let reference = AMQPChannel(state: channel)
        let body = self.body ?? ByteBuffer()
        switch method {
        case .basicDeliver(let m):
            return AMQPDelivery(
                exchange: m.exchange, routingKey: m.routingKey, redelivered: m.redelivered, deliveryTag: m.deliveryTag,
                consumerTag: m.consumerTag, properties: header.properties, body: body, channel: reference
            )
        case .basicGetOk(let m):
            return AMQPDelivery(
                exchange: m.exchange, routingKey: m.routingKey, redelivered: m.redelivered, deliveryTag: m.deliveryTag,
                consumerTag: nil, properties: header.properties, body: body, channel: reference
            )
        case .basicReturn(let m):
            return AMQPDelivery(
                exchange: m.exchange, routingKey: m.routingKey, redelivered: false, deliveryTag: 0,
                consumerTag: nil, properties: header.properties, body: body, channel: nil
            )
        default:
            return nil
        }
    }
}
