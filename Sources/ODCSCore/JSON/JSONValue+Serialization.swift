extension JSONValue {
    /// Compact JSON with object keys sorted, as Flask writes it (`sort_keys=True`).
    public func serialized(sortKeys: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(into: &out, sortKeys: sortKeys)
        return out
    }

    public func write(into out: inout String, sortKeys: Bool = true) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let elements):
            out += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { out += "," }
                element.write(into: &out, sortKeys: sortKeys)
            }
            out += "]"
        case .object(let object):
            out += "{"
            let entries = sortKeys ? object.entries.sorted { $0.key < $1.key } : object.entries
            for (offset, entry) in entries.enumerated() {
                if offset > 0 { out += "," }
                JSONValue.writeString(entry.key, into: &out)
                out += ":"
                entry.value.write(into: &out, sortKeys: sortKeys)
            }
            out += "}"
        }
    }

    public static func writeString(_ string: String, into out: inout String) {
        out += "\""
        var needsEscaping = false
        for byte in string.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            out += string
            out += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
