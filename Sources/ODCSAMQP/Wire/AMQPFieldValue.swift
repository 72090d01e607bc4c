#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A field table: the `headers` property of a message, the arguments of declare methods and the
/// client and server properties of the handshake.
///
/// Keys are short strings (at most 255 UTF-8 bytes). Tables are encoded with their keys sorted, so
/// the same table always gives the same bytes.
public typealias AMQPTable = [String: AMQPFieldValue]

/// One value in a field table or field array, tagged with its AMQP 0-9-1 type.
///
/// The tags are RabbitMQ's, which differ from the 0-9-1 specification where the two disagree (see
/// RabbitMQ's "AMQP 0-9-1 errata"): `s` is a signed 16-bit integer, `u` an unsigned one, `x` a byte
/// array. Literals map the way pika does, so headers written by Python fedora-messaging and by us
/// look the same: an integer literal is `I` (signed 32-bit) when it fits and `l` otherwise, a string
/// is `S`, a boolean `t`.
public enum AMQPFieldValue: Sendable, Hashable {
    /// `t`
    case bool(Bool)
    /// `b`
    case int8(Int8)
    /// `B`
    case uint8(UInt8)
    /// `s` (RabbitMQ's signed short)
    case int16(Int16)
    /// `u`
    case uint16(UInt16)
    /// `I`
    case int32(Int32)
    /// `i`
    case uint32(UInt32)
    /// `l`
    case int64(Int64)
    /// `L`; RabbitMQ itself never sends it, other clients may.
    case uint64(UInt64)
    /// `f`
    case float(Float)
    /// `d`
    case double(Double)
    /// `D`: `value` × 10^-`scale`.
    case decimal(scale: UInt8, value: UInt32)
    /// `S`: a long string. Bytes that are not valid UTF-8 are repaired when decoding; use
    /// ``bytes(_:)`` for binary data.
    case string(String)
    /// `x`: a byte array.
    case bytes([UInt8])
    /// `T`: seconds since 1970; sub-second precision is dropped on the wire.
    case timestamp(Date)
    /// `F`
    case table(AMQPTable)
    /// `A`
    case array([AMQPFieldValue])
    /// `V`: no value.
    case void

    /// The one-byte type tag written before the value.
    var tag: UInt8 {
        switch self {
        case .bool: UInt8(ascii: "t")
        case .int8: UInt8(ascii: "b")
        case .uint8: UInt8(ascii: "B")
        case .int16: UInt8(ascii: "s")
        case .uint16: UInt8(ascii: "u")
        case .int32: UInt8(ascii: "I")
        case .uint32: UInt8(ascii: "i")
        case .int64: UInt8(ascii: "l")
        case .uint64: UInt8(ascii: "L")
        case .float: UInt8(ascii: "f")
        case .double: UInt8(ascii: "d")
        case .decimal: UInt8(ascii: "D")
        case .string: UInt8(ascii: "S")
        case .bytes: UInt8(ascii: "x")
        case .timestamp: UInt8(ascii: "T")
        case .table: UInt8(ascii: "F")
        case .array: UInt8(ascii: "A")
        case .void: UInt8(ascii: "V")
        }
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension AMQPFieldValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        if let small = Int32(exactly: value) {
            self = .int32(small)
        } else {
            self = .int64(Int64(value))
        }
    }
}

extension AMQPFieldValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension AMQPFieldValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension AMQPFieldValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: AMQPFieldValue...) { self = .array(elements) }
}

extension AMQPFieldValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        self = .table(AMQPTable(elements, uniquingKeysWith: { _, last in last }))
    }
}
