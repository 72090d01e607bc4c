/// Python 3's `str` methods that upstream's checks rely on, on Unicode scalars (Python's code
/// points), never on `Character`s: a grapheme cluster such as `e` + U+0301 is one Swift
/// `Character` whose `isLetter` is true, while Python looks at the combining accent alone
/// (category Mn) and finds it is not alphanumeric.
///
/// The categories come from Swift's Unicode tables, which may be a version ahead of the
/// Python that runs upstream: only characters assigned between the two versions can differ.
public enum PythonText {
    /// `str.isalnum()` of one code point: a letter (Lu, Ll, Lt, Lm, Lo) or a character with a
    /// numeric type (decimal, digit or numeric: `isdecimal`, `isdigit`, `isnumeric`).
    public static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return scalar.properties.numericType != nil
        }
    }

    /// `str.isprintable()` of one code point: everything but the categories Cc, Cf, Cs, Co, Cn,
    /// Zl, Zp and Zs, except the ASCII space.
    public static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default: return true
        }
    }

    /// What `int(text)` gives for a string.
    public enum IntParse: Equatable, Sendable {
        case value(Int)
        /// A valid integer beyond 64 bits (Python's ints have no bound).
        case huge(negative: Bool)
    }

    /// `int(text)`: surrounding white space, an optional sign, then decimal digits of any
    /// script (category Nd, e.g. "１２" or "٣"), with single underscores between digits. Nil
    /// where Python raises ValueError. Its white space is Unicode's White_Space (CPython maps
    /// non-ASCII space to ' ' and then strips ASCII space only, so U+001C–U+001F, which
    /// `str.isspace()` counts, are not stripped).
    public static func int(_ text: String) -> IntParse? {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        var negative = false
        if let sign = scalars.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            scalars.removeFirst()
        }
        guard !scalars.isEmpty, scalars.first != "_", scalars.last != "_" else { return nil }
        var magnitude: UInt64 = 0
        var overflow = false
        var previousWasUnderscore = false
        for scalar in scalars {
            if scalar == "_" {
                if previousWasUnderscore { return nil }
                previousWasUnderscore = true
                continue
            }
            previousWasUnderscore = false
            guard scalar.properties.numericType == .decimal, let digit = scalar.properties.numericValue else { return nil }
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(digit))
            if o1 || o2 { overflow = true } else { magnitude = sum }
        }
        let limit = negative ? UInt64(Int.max) + 1 : UInt64(Int.max)
        if overflow || magnitude > limit { return .huge(negative: negative) }
        return .value(negative ? Int(truncatingIfNeeded: 0 &- magnitude) : Int(magnitude))
    }
}
