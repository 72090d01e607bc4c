import Foundation
import NIOCore
import Testing

@testable import ODCSAMQP

@Suite struct FieldTableTests {
    private func roundTrip(_ table: AMQPTable) throws -> AMQPTable {
        var buffer = ByteBuffer()
        try buffer.writeTable(table)
        let decoded = try buffer.readTable("test table")
        #expect(buffer.readableBytes == 0)
        return decoded
    }

    @Test func everyFieldTypeRoundTrips() throws {
        let table: AMQPTable = [
            "t": .bool(true), "b": .int8(-5), "B": .uint8(250), "s": .int16(-300), "u": .uint16(65000),
            "I": .int32(-70000), "i": .uint32(4_000_000_000), "l": .int64(-5_000_000_000), "L": .uint64(UInt64.max),
            "f": .float(1.5), "d": .double(-2.25), "D": .decimal(scale: 2, value: 12345), "S": .string("grüße ✓"),
            "x": .bytes([0, 1, 0xFF]), "T": .timestamp(Date(timeIntervalSince1970: 1_564_513_942)),
            "F": ["nested": ["deeper": 1]], "A": [1, "two", .void, [3.0]], "V": .void,
        ]
        #expect(try roundTrip(table) == table)
    }

    @Test func encodesKnownBytesWithSortedKeys() throws {
        var buffer = ByteBuffer()
        try buffer.writeTable(["b": .bool(true), "a": .int32(20)])
        let expected: [UInt8] = [
            0, 0, 0, 11,  // table length
            1, 0x61, 0x49, 0, 0, 0, 20,  // "a" I 20
            1, 0x62, 0x74, 1,  // "b" t true
        ]
        #expect(Array(buffer.readableBytesView) == expected)
    }

    @Test func literalsMapLikePika() {
        let severity: AMQPFieldValue = 20
        let big: AMQPFieldValue = 5_000_000_000
        let text: AMQPFieldValue = "2019-07-30T19:12:22+00:00"
        #expect(severity == .int32(20))
        #expect(big == .int64(5_000_000_000))
        #expect(text == .string("2019-07-30T19:12:22+00:00"))
    }

    @Test func timestampDropsFractionalSeconds() throws {
        let decoded = try roundTrip(["at": .timestamp(Date(timeIntervalSince1970: 100.9))])
        #expect(decoded["at"] == .timestamp(Date(timeIntervalSince1970: 100)))
    }

    @Test func rejectsUnknownTypeTag() {
        var buffer = ByteBuffer(bytes: [0, 0, 0, 3, 1, 0x6B, 0x7A])
        #expect(throws: AMQPError.self) { try buffer.readTable("headers") }
    }

    @Test func rejectsTruncatedTable() {
        var buffer = ByteBuffer(bytes: [0, 0, 0, 10, 1, 0x6B])
        #expect(throws: AMQPError.self) { try buffer.readTable("headers") }
    }

    @Test func refusesShortStringsOver255Bytes() {
        var buffer = ByteBuffer()
        #expect(throws: AMQPError.self) { try buffer.writeShortString(String(repeating: "x", count: 256), field: "routing key") }
    }
}
