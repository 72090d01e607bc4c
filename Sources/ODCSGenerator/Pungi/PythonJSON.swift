import ODCSCore

/// JSON written as Python's `json.dumps` writes it, for files that upstream writes with
/// Python and that tools (or byte-for-byte comparisons) read: `", "` and `": "` separators,
/// non-ASCII escaped as `\uXXXX`, keys in the object's own order, or productmd's
/// `indent=4, sort_keys=True` layout.
enum PythonJSON {
    /// `json.dumps(value)`.
    static func dumps(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: nil, level: 0, sortKeys: false)
        return out
    }

    /// `json.dumps(value, indent=4, sort_keys=True, separators=(",", ": "))`, as productmd dumps.
    static func dumpsIndented(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: 4, level: 0, sortKeys: true)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: Int?, level: Int, sortKeys: Bool) {
        func newline(_ level: Int) {
            guard let indent else { return }
            out += "\n" + String(repeating: " ", count: indent * level)
        }
        let separator = indent == nil ? ", " : ","
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number): out += number.isFinite ? "\(number)" : "NaN"
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            guard !elements.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { out += separator }
                newline(level + 1)
                write(element, into: &out, indent: indent, level: level + 1, sortKeys: sortKeys)
            }
            newline(level)
            out += "]"
        case .object(let object):
            guard !object.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            let entries = sortKeys ? object.entries.sorted { $0.key < $1.key } : object.entries
            for (offset, entry) in entries.enumerated() {
                if offset > 0 { out += separator }
                newline(level + 1)
                writeString(entry.key, into: &out)
                out += ": "
                write(entry.value, into: &out, indent: indent, level: level + 1, sortKeys: sortKeys)
            }
            newline(level)
            out += "}"
        }
    }

    /// `ensure_ascii=True`: everything outside printable ASCII as `\uXXXX` (UTF-16 units).
    private static func writeString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7E {
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
