import Foundation
import Testing

@testable import ODCSKoji

@Suite struct XMLRPCValueTests {
    let encoder = XMLRPCEncoder()
    let decoder = XMLRPCDecoder()

    func roundTrip(_ value: XMLRPCValue) throws -> XMLRPCValue {
        try decoder.decodeResponse(encoder.encode(.value(value))).get()
    }

    @Test(arguments: [
        XMLRPCValue.nil, .bool(true), .bool(false), .int(0), .int(-1), .int(42), .double(3.25), .double(-0.5),
        .double(1e-300), .string(""), .string("plain"), .string("  spaced \n\t "), .string("a<b>&c \"q\" 'a' ]]>"),
        .string("žluťoučký kůň 🐎 日本"), .string("line\r\nbreak"), .dateTime("20250704T12:34:56"),
        .base64(Data()), .base64(Data([0, 1, 2, 0xFF, 0xFE, 10, 13])), .array([]), .struct([]),
    ])
    func scalarValuesRoundTrip(_ value: XMLRPCValue) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test func nestedArraysAndStructsRoundTripInOrder() throws {
        let value: XMLRPCValue = .struct([
            ("zeta", .array([.int(1), .array([]), .struct([("inner", .array([.nil, .string("x")]))])])),
            ("alpha", .struct([])),
            ("a&b", .array([.struct([("k<", .bool(true))])])),
        ])
        let decoded = try roundTrip(value)
        #expect(decoded == value)
        #expect(decoded.structMembers?.map(\.0) == ["zeta", "alpha", "a&b"])
    }

    @Test(arguments: [
        (Int64(Int32.max), "<int>2147483647</int>"), (Int64(Int32.min), "<int>-2147483648</int>"),
        (Int64(Int32.max) + 1, "<i8>2147483648</i8>"), (Int64(Int32.min) - 1, "<i8>-2147483649</i8>"),
        (Int64.max, "<i8>9223372036854775807</i8>"), (Int64.min, "<i8>-9223372036854775808</i8>"),
    ])
    func integersOutsideInt32UseI8(_ number: Int64, _ expected: String) throws {
        let body = encoder.encode(.value(.int(number)))
        #expect(body.contains(expected))
        #expect(try roundTrip(.int(number)) == .int(number))
    }

    @Test func nilIsEncodedAsNilElement() {
        #expect(encoder.encode(.value(.nil)).contains("<value><nil/></value>"))
    }

    @Test func reservedCharactersAreEscaped() {
        let body = encoder.encode(.value(.string("<a & b>")))
        #expect(body.contains("<string>&lt;a &amp; b&gt;</string>"))
    }

    @Test func dateTimeKeepsKojiTextAndParsesToUTC() throws {
        let value = try roundTrip(.dateTime("20250704T12:34:56"))
        #expect(value.dateTimeText == "20250704T12:34:56")
        #expect(value.dateValue == Date(timeIntervalSince1970: 1_751_632_496))
        #expect(XMLRPCValue.dateTime(Date(timeIntervalSince1970: 1_751_632_496)) == .dateTime("20250704T12:34:56"))
        #expect(XMLRPCValue.dateTime("2025-07-04T12:34:56").dateValue == Date(timeIntervalSince1970: 1_751_632_496))
        #expect(XMLRPCValue.dateTime("not a date").dateValue == nil)
        #expect(XMLRPCValue.dateTime("20251304T12:34:56").dateValue == nil)
    }

    @Test func accessorsReturnNilForOtherTypes() {
        let value: XMLRPCValue = .struct([("id", .int(7)), ("size", .double(1.5))])
        #expect(value["id"]?.intValue == 7)
        #expect(value["id"]?.doubleValue == 7)
        #expect(value["size"]?.intValue == nil)
        #expect(value["missing"] == nil)
        #expect(value[0] == nil)
        #expect(XMLRPCValue.array([.bool(true)])[0]?.boolValue == true)
        #expect(XMLRPCValue.array([.bool(true)])[1] == nil)
        #expect(XMLRPCValue.nil.isNil)
        #expect(XMLRPCValue.string("x").stringValue == "x")
        #expect(XMLRPCValue.base64(Data([1])).dataValue == Data([1]))
    }

    @Test func structEqualityDependsOnMemberOrder() {
        #expect(XMLRPCValue.struct([("a", .int(1)), ("b", .int(2))]) != .struct([("b", .int(2)), ("a", .int(1))]))
    }
}
