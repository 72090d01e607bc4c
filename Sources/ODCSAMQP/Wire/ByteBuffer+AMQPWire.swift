import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The AMQP 0-9-1 data types (spec section 4.2.5): integers in network byte order, short strings
/// (one length octet), long strings (four length octets) and field tables.
extension ByteBuffer {
    // MARK: Writing

    /// Throws rather than truncating: a cut-off exchange or queue name would silently address
    /// another entity.
    mutating func writeShortString(_ string: String, field: String) throws {
        let length = string.utf8.count
        guard length <= 255 else {
            throw AMQPError.protocolViolation("\(field) is \(length) bytes long, but AMQP short strings hold at most 255")
        }
        writeInteger(UInt8(length))
        writeString(string)
    }

    mutating func writeLongString(_ string: String) {
        writeInteger(UInt32(string.utf8.count))
        writeString(string)
    }

    mutating func writeLongBytes(_ bytes: [UInt8]) {
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }

    mutating func writeTimestamp(_ date: Date) {
        writeInteger(UInt64(max(0, date.timeIntervalSince1970.rounded(.down))))
    }

    /// Writes the four-byte length, then the pairs in key order.
    mutating func writeTable(_ table: AMQPTable) throws {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        for (key, value) in table.sorted(by: { $0.key < $1.key }) {
            try writeShortString(key, field: "table key '\(key.prefix(40))…'")
            try writeFieldValue(value)
        }
        setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
    }

    mutating func writeFieldValue(_ value: AMQPFieldValue) throws {
        writeInteger(value.tag)
        switch value {
        case .bool(let v): writeInteger(UInt8(v ? 1 : 0))
        case .int8(let v): writeInteger(v)
        case .uint8(let v): writeInteger(v)
        case .int16(let v): writeInteger(v)
        case .uint16(let v): writeInteger(v)
        case .int32(let v): writeInteger(v)
        case .uint32(let v): writeInteger(v)
        case .int64(let v): writeInteger(v)
        case .uint64(let v): writeInteger(v)
        case .float(let v): writeInteger(v.bitPattern)
        case .double(let v): writeInteger(v.bitPattern)
        case .decimal(let scale, let v):
            writeInteger(scale)
            writeInteger(v)
        case .string(let v): writeLongString(v)
        case .bytes(let v): writeLongBytes(v)
        case .timestamp(let v): writeTimestamp(v)
        case .table(let v): try writeTable(v)
        case .array(let values):
            let lengthIndex = writerIndex
            writeInteger(UInt32(0))
            for element in values { try writeFieldValue(element) }
            setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
        case .void: break
        }
    }

    // MARK: Reading

    mutating func readAMQPInteger<T: FixedWidthInteger>(as: T.Type = T.self, _ field: @autoclosure () -> String) throws -> T {
        guard let value = readInteger(as: T.self) else { throw AMQPError.protocolViolation("truncated \(field())") }
        return value
    }

    mutating func readShortString(_ field: @autoclosure () -> String) throws -> String {
        let length = try readAMQPInteger(as: UInt8.self, field())
        guard let string = readString(length: Int(length)) else { throw AMQPError.protocolViolation("truncated \(field())") }
        return string
    }

    mutating func readLongString(_ field: @autoclosure () -> String) throws -> String {
        var slice = try readLongSlice(field())
        return slice.readString(length: slice.readableBytes) ?? ""
    }

    mutating func readLongBytes(_ field: @autoclosure () -> String) throws -> [UInt8] {
        var slice = try readLongSlice(field())
        return slice.readBytes(length: slice.readableBytes) ?? []
    }

    /// The bytes of a long string, table or array, whose length comes first.
    mutating func readLongSlice(_ field: @autoclosure () -> String) throws -> ByteBuffer {
        let length = try readAMQPInteger(as: UInt32.self, field())
        guard let slice = readSlice(length: Int(length)) else {
            throw AMQPError.protocolViolation("\(field()) claims \(length) bytes but fewer follow")
        }
        return slice
    }

    mutating func readTimestamp(_ field: @autoclosure () -> String) throws -> Date {
        Date(timeIntervalSince1970: Double(try readAMQPInteger(as: UInt64.self, field())))
    }

    mutating func readTable(_ field: @autoclosure () -> String) throws -> AMQPTable {
        var slice = try readLongSlice(field())
        var table = AMQPTable()
        while slice.readableBytes > 0 {
            let key = try slice.readShortString("key in \(field())")
            table[key] = try slice.readFieldValue("value of '\(key)' in \(field())")
        }
        return table
    }

    mutating func readFieldValue(_ field: @autoclosure () -> String) throws -> AMQPFieldValue {
        let tag = try readAMQPInteger(as: UInt8.self, field())
        switch tag {
        case UInt8(ascii: "t"): return .bool(try readAMQPInteger(as: UInt8.self, field()) != 0)
        case UInt8(ascii: "b"): return .int8(try readAMQPInteger(field()))
        case UInt8(ascii: "B"): return .uint8(try readAMQPInteger(field()))
        case UInt8(ascii: "s"): return .int16(try readAMQPInteger(field()))
        case UInt8(ascii: "u"): return .uint16(try readAMQPInteger(field()))
        case UInt8(ascii: "I"): return .int32(try readAMQPInteger(field()))
        case UInt8(ascii: "i"): return .uint32(try readAMQPInteger(field()))
        case UInt8(ascii: "l"): return .int64(try readAMQPInteger(field()))
        case UInt8(ascii: "L"): return .uint64(try readAMQPInteger(field()))
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try readAMQPInteger(field())))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readAMQPInteger(field())))
        case UInt8(ascii: "D"):
            let scale = try readAMQPInteger(as: UInt8.self, field())
            return .decimal(scale: scale, value: try readAMQPInteger(field()))
        case UInt8(ascii: "S"): return .string(try readLongString(field()))
        case UInt8(ascii: "x"): return .bytes(try readLongBytes(field()))
        case UInt8(ascii: "T"): return .timestamp(try readTimestamp(field()))
        case UInt8(ascii: "F"): return .table(try readTable(field()))
        case UInt8(ascii: "A"):
            var slice = try readLongSlice(field())
            var values: [AMQPFieldValue] = []
            while slice.readableBytes > 0 { values.append(try slice.readFieldValue(field())) }
            return .array(values)
        case UInt8(ascii: "V"): return .void
        default:
            throw AMQPError.protocolViolation("unknown field type tag 0x\(String(tag, radix: 16)) in \(field())")
        }
    }
}
