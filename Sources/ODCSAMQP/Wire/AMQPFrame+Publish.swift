import NIOCore

extension AMQPFrame {
    /// Encodes basic.publish, the content header and the body frames into one buffer, so a
    /// message goes out in a single write. Bodies longer than `maximumBodyFrameSize` (frame_max
    /// minus the 8 bytes of frame overhead) are split; an empty body has no body frame.
    static func encodePublish(
        channel: UInt16,
        _ publish: AMQPMethod.BasicPublish,
        properties: AMQPProperties,
        body: ByteBuffer,
        maximumBodyFrameSize: Int
    ) throws -> ByteBuffer {
        let frameCount = (body.readableBytes + maximumBodyFrameSize - 1) / maximumBodyFrameSize
        var buffer = ByteBufferAllocator().buffer(capacity: 256 + body.readableBytes + frameCount * AMQPFrame.overhead)
        try buffer.writeAMQPFrame(.method(channel: channel, .basicPublish(publish)))
        try buffer.writeAMQPFrame(.header(channel: channel, ContentHeader(bodySize: UInt64(body.readableBytes), properties: properties)))
        var rest = body
        while let slice = rest.readSlice(length: min(rest.readableBytes, maximumBodyFrameSize)), slice.readableBytes > 0 {
            try buffer.writeAMQPFrame(.body(channel: channel, slice))
        }
        return buffer
    }
}
