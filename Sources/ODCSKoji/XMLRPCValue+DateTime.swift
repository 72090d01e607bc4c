import Foundation

extension XMLRPCValue {
    /// A `dateTime.iso8601` value in Koji's text form, `YYYYMMDDTHH:MM:SS`, in UTC
    /// (XML-RPC dates carry no zone; Koji's hub runs in UTC).
    public static func dateTime(_ date: Date) -> XMLRPCValue {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return .dateTime(
            "\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
        )
    }

    /// The text of a `dateTime.iso8601` value.
    public var dateTimeText: String? {
        if case .dateTime(let text) = self { text } else { nil }
    }

    /// A `dateTime.iso8601` value parsed as UTC; nil when it is not one or its text is neither
    /// `YYYYMMDDTHH:MM:SS` nor `YYYY-MM-DDTHH:MM:SS`.
    public var dateValue: Date? {
        guard case .dateTime(let text) = self else { return nil }
        let digits = text.filter { $0 != "-" && $0 != ":" }
        let parts = digits.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 8, parts[1].count == 6,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        func number(_ part: Substring, _ from: Int, _ length: Int) -> Int {
            let start = part.index(part.startIndex, offsetBy: from)
            return Int(part[start..<part.index(start, offsetBy: length)])!
        }
        var components = DateComponents()
        components.year = number(parts[0], 0, 4)
        components.month = number(parts[0], 4, 2)
        components.day = number(parts[0], 6, 2)
        components.hour = number(parts[1], 0, 2)
        components.minute = number(parts[1], 2, 2)
        components.second = number(parts[1], 4, 2)
        guard components.month! >= 1, components.month! <= 12, components.day! >= 1, components.day! <= 31,
            components.hour! <= 23, components.minute! <= 59, components.second! <= 60
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)
    }
}
