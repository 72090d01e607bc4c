import Foundation

/// One XML-RPC value, with the extensions Koji uses (`<nil/>`, `<i8>`).
///
/// Structs keep their members in wire order, since Koji's answers are easier to read and
/// compare that way; two structs are equal only when their members are equal in the same order.
///
/// ```swift
/// let build: XMLRPCValue = .struct([("nvr", .string("bash-5.2-1")), ("epoch", .nil)])
/// build["nvr"]?.stringValue  // "bash-5.2-1"
/// ```
public enum XMLRPCValue: Sendable {
    case `nil`
    case bool(Bool)
    /// `<int>`, `<i4>` and `<i8>` all decode to this.
    case int(Int64)
    case double(Double)
    case string(String)
    /// The text of a `<dateTime.iso8601>` as sent (Koji's form is `YYYYMMDDTHH:MM:SS`);
    /// ``XMLRPCValue/dateValue`` parses it.
    case dateTime(String)
    case base64(Data)
    case array([XMLRPCValue])
    case `struct`([(String, XMLRPCValue)])
}

extension XMLRPCValue: Equatable {
    public static func == (lhs: XMLRPCValue, rhs: XMLRPCValue) -> Bool {
        switch (lhs, rhs) {
        case (.nil, .nil): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): a == b
        case (.dateTime(let a), .dateTime(let b)): a == b
        case (.base64(let a), .base64(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.struct(let a), .struct(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}
