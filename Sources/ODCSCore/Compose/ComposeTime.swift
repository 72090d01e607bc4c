import struct Foundation.Date

/// Upstream's wire format for times: `%Y-%m-%dT%H:%M:%SZ` in UTC, fractions dropped.
/// Hand-written because it is on the hot path of every compose rendered.
public enum ComposeTime {
    public static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let hour = rest / 3600
        let minute = rest % 3600 / 60
        let second = rest % 60
        var out = ""
        out.reserveCapacity(20)
        pad(year, 4, &out)
        out += "-"
        pad(month, 2, &out)
        out += "-"
        pad(day, 2, &out)
        out += "T"
        pad(hour, 2, &out)
        out += ":"
        pad(minute, 2, &out)
        out += ":"
        pad(second, 2, &out)
        out += "Z"
        return out
    }

    private static func pad(_ value: Int64, _ width: Int, _ out: inout String) {
        let digits = String(value)
        if digits.count < width { out += String(repeating: "0", count: width - digits.count) }
        out += digits
    }

    /// Howard Hinnant's days-from-civil inverse: proleptic Gregorian calendar, exact for all dates.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
