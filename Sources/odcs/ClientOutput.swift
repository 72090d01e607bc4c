import Foundation
import ODCSCore

/// How the client commands print: indented JSON (`--json`) or aligned tables for people.
enum ClientOutput {
    /// JSON with sorted keys, indented by two spaces.
    static func prettyJSON(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent + 2)
        switch value {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (offset, item) in items.enumerated() {
                out += pad
                write(item, indent: indent + 2, into: &out)
                out += offset == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let object) where !object.isEmpty:
            let entries = object.entries.sorted { $0.key < $1.key }
            out += "{\n"
            for (offset, entry) in entries.enumerated() {
                out += pad
                JSONValue.writeString(entry.key, into: &out)
                out += ": "
                write(entry.value, indent: indent + 2, into: &out)
                out += offset == entries.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        default:
            value.write(into: &out)
        }
    }

    /// Columns padded to their widest cell; the last column is not padded.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `name: value` lines, names aligned.
    static func fields(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { ($0.0 + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + " " + $0.1 }
            .joined(separator: "\n")
    }

    /// A JSON value as a table cell: strings bare, lists space-joined, null as `-`.
    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null: "-"
        case .string(let text): text.isEmpty ? "-" : text
        case .int(let number): String(number)
        case .bool(let flag): flag ? "yes" : "no"
        case .array(let items): items.isEmpty ? "-" : items.map { cell($0) }.joined(separator: " ")
        case .some(let other): other.serialized()
        }
    }

    /// `2026-11-28T03:25:18Z` as how far it is from `now`: `in 23h 59m`, `3m ago`.
    static func relative(_ time: String, now: Date = Date()) -> String {
        guard let date = ISO8601DateFormatter().date(from: time) else { return time }
        let seconds = Int(date.timeIntervalSince(now).rounded())
        let span = duration(abs(seconds))
        return seconds >= 0 ? "in \(span)" : "\(span) ago"
    }

    /// `42s`, `3m 05s`, `2h 07m`, `3d 04h`.
    static func duration(_ seconds: Int) -> String {
        let (days, hours, minutes, secs) = (seconds / 86400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60)
        if days > 0 { return "\(days)d \(String(format: "%02d", hours))h" }
        if hours > 0 { return "\(hours)h \(String(format: "%02d", minutes))m" }
        if minutes > 0 { return "\(minutes)m \(String(format: "%02d", secs))s" }
        return "\(secs)s"
    }
}
