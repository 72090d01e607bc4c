import ODCSCore
import Testing

@Suite struct JSONValueTests {
    @Test func parsesAndKeepsKeyOrder() throws {
        let value = try JSONValue.parse(#"{"b": 1, "a": [true, null, 1.5, "x\u00e9\n"]}"#)
        #expect(value.objectValue?.keys == ["b", "a"])
        #expect(value.objectValue?["a"] == [true, nil, .double(1.5), "xé\n"])
    }

    @Test func serialisesWithSortedKeys() throws {
        let value: JSONValue = ["b": 1, "a": ["q\"uote", .null]]
        #expect(value.serialized() == #"{"a":["q\"uote",null],"b":1}"#)
    }

    @Test(arguments: ["{", "", "this is not json", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "nul"])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func keepsIntegersBooleansAndFloatsApart() throws {
        #expect(try JSONValue.parse("1") == .int(1))
        #expect(try JSONValue.parse("1.0") == .double(1))
        #expect(try JSONValue.parse("true") == .bool(true))
    }

    @Test func printsPythonRepr() throws {
        let value = try JSONValue.parse(#"{"source": "f26", "n": [1, true, null, "it's"]}"#)
        #expect(value.pythonRepr == #"{'source': 'f26', 'n': [1, True, None, "it's"]}"#)
    }
}

@Suite struct ComposeTimeTests {
    @Test func formatsWholeSecondsInUTC() {
        #expect(ComposeTime.format(.init(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(ComposeTime.format(.init(timeIntervalSince1970: 1_795_746_318.999)) == "2026-11-27T02:25:18Z")
        #expect(ComposeTime.format(.init(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }
}
