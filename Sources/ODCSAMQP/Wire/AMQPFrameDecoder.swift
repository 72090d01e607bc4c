import NIOCore

/// Cuts the byte stream into frames.
///
/// A frame larger than `maximumFrameSize` (our requested frame_max) or without the 0xCE end octet
/// means the stream is out of step or the peer is broken; both are fatal for the connection.
struct AMQPFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = AMQPFrame

    let maximumFrameSize: UInt32

    mutating func decode(buffer: inout ByteBuffer) throws -> AMQPFrame? {
        guard
            let (type, channel, size) = buffer.getMultipleIntegers(at: buffer.readerIndex, as: (UInt8, UInt16, UInt32).self)
        else { return nil }
        guard size <= maximumFrameSize else {
            throw AMQPError.protocolViolation("frame of \(size) bytes exceeds the negotiated maximum of \(maximumFrameSize)")
        }
        let total = 7 + Int(size) + 1
        guard buffer.readableBytes >= total else { return nil }
        guard buffer.getInteger(at: buffer.readerIndex + total - 1, as: UInt8.self) == AMQPFrame.frameEnd else {
            throw AMQPError.protocolViolation("frame of type \(type) does not end with 0xCE")
        }
        buffer.moveReaderIndex(forwardBy: 7)
        // Both reads are within the readable bytes checked above.
        var payload = buffer.readSlice(length: Int(size))!
        buffer.moveReaderIndex(forwardBy: 1)
        return try ByteBuffer.decodeAMQPFrame(type: type, channel: channel, payload: &payload)
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AMQPFrame? {
        try decode(buffer: &buffer)
    }
}
