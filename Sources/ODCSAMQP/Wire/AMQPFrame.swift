import NIOCore

/// One AMQP 0-9-1 frame (spec section 4.2.3): type octet, channel, payload size, payload and the
/// frame-end octet 0xCE.
enum AMQPFrame: Sendable, Hashable {
    case method(channel: UInt16, AMQPMethod)
    case header(channel: UInt16, ContentHeader)
    case body(channel: UInt16, ByteBuffer)
    case heartbeat

    /// The header frame that announces a message's size and properties.
    struct ContentHeader: Sendable, Hashable {
        /// 60, the basic class, for every message this client sees.
        var classID: UInt16 = 60
        var bodySize: UInt64
        var properties: AMQPProperties
    }

    /// Sent once, before any frame: "AMQP" 0 0 9 1.
    static let protocolHeader: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1]
    static let frameEnd: UInt8 = 0xCE
    /// Type octet, channel and size before the payload, frame-end after it.
    static let overhead = 8
    /// The smallest frame_max a peer may ask for, and the limit before tuning.
    static let minimumFrameMax: UInt32 = 4096

    enum FrameType: UInt8 {
        case method = 1
        case header = 2
        case body = 3
        case heartbeat = 8
    }

    var channel: UInt16 {
        switch self {
        case .method(let channel, _), .header(let channel, _), .body(let channel, _): channel
        case .heartbeat: 0
        }
    }
}

extension ByteBuffer {
    /// Writes a whole frame, filling in the payload size afterwards.
    mutating func writeAMQPFrame(_ frame: AMQPFrame) throws {
        let type: AMQPFrame.FrameType
        switch frame {
        case .method: type = .method
        case .header: type = .header
        case .body: type = .body
        case .heartbeat: type = .heartbeat
        }
        writeInteger(type.rawValue)
        writeInteger(frame.channel)
        let sizeIndex = writerIndex
        writeInteger(UInt32(0))
        switch frame {
        case .method(_, let method): try method.encode(into: &self)
        case .header(_, let header): try writeContentHeader(header)
        case .body(_, var body): writeBuffer(&body)
        case .heartbeat: break
        }
        setInteger(UInt32(writerIndex - sizeIndex - 4), at: sizeIndex)
        writeInteger(AMQPFrame.frameEnd)
    }

    /// Reads one frame's payload given its type and channel; `payload` holds exactly the payload.
    static func decodeAMQPFrame(type: UInt8, channel: UInt16, payload: inout ByteBuffer) throws -> AMQPFrame {
        switch AMQPFrame.FrameType(rawValue: type) {
        case .method:
            return .method(channel: channel, try AMQPMethod.decode(from: &payload))
        case .header:
            return .header(channel: channel, try payload.readContentHeader())
        case .body:
            return .body(channel: channel, payload)
        case .heartbeat:
            guard channel == 0 else { throw AMQPError.protocolViolation("heartbeat frame on channel \(channel)") }
            return .heartbeat
        case nil:
            throw AMQPError.protocolViolation("unknown frame type \(type)")
        }
    }
}
