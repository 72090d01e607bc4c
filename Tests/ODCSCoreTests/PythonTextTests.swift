import ODCSCore
import Testing

/// Each expected value is what CPython 3.11 answers for the same text.
@Suite struct PythonTextTests {
    @Test(
        arguments: [
            ("a", true), ("é", true), ("\u{301}", false), ("٣", true), ("１", true), ("½", true), ("²", true), ("Ⅻ", true),
            ("一", true), ("ǅ", true), ("ʰ", true), ("_", false), ("\u{200B}", false), ("🙂", false), ("\u{A0}", false),
        ] as [(Unicode.Scalar, Bool)])
    func isalnumOfOneCodePoint(_ scalar: Unicode.Scalar, _ expected: Bool) {
        #expect(PythonText.isAlphanumeric(scalar) == expected)
    }

    @Test func aCombiningAccentIsNotAlphanumericThoughItsClusterIsALetter() {
        let text = "cafe\u{301}"
        #expect(text.allSatisfy { $0.isLetter })
        #expect(!InputValidator.isAllowed(text))
        #expect(InputValidator.isAllowed("café x_1.2:3#4+5?6$7~8^9,-/"))
    }

    @Test(
        arguments: [
            ("12", .value(12)), (" 12 ", .value(12)), ("１２", .value(12)), ("٣٠", .value(30)), ("1_0", .value(10)), ("+5", .value(5)),
            ("-5", .value(-5)), ("\u{3000}7", .value(7)), ("\u{A0}7", .value(7)), ("\u{85}7", .value(7)), ("\u{0B}7\u{0C}", .value(7)),
            ("9223372036854775807", .value(Int.max)), ("-9223372036854775808", .value(Int.min)),
            ("9223372036854775808", .huge(negative: false)), ("99999999999999999999", .huge(negative: false)),
            ("-99999999999999999999", .huge(negative: true)),
            ("_1", nil), ("1_", nil), ("1__0", nil), ("- 5", nil), ("", nil), ("+", nil), ("12a", nil), ("\u{1C}7", nil), ("7\u{1F}", nil),
            ("²", nil), ("Ⅻ", nil), ("1\u{3000}2", nil),
        ] as [(String, PythonText.IntParse?)])
    func intOfAString(_ text: String, _ expected: PythonText.IntParse?) {
        #expect(PythonText.int(text) == expected)
    }

    @Test func reprEscapesWhatPythonCannotPrint() {
        #expect(
            JSONValue.pythonStringRepr("a\u{A0}\u{200B}\u{E0001}\u{7F}\u{85}é\u{2028} \u{E000}")
                == #"'a\xa0\u200b\U000e0001\x7f\x85é\u2028 \ue000'"#)
        #expect(JSONValue.pythonStringRepr("it's") == #""it's""#)
    }
}
