import Foundation

extension XMLRPCValue {
    public var isNil: Bool {
        if case .nil = self { true } else { false }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    public var intValue: Int64? {
        if case .int(let value) = self { value } else { nil }
    }

    /// A double, or an int widened to one (Koji sends sizes and times as either).
    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var dataValue: Data? {
        if case .base64(let value) = self { value } else { nil }
    }

    public var arrayValue: [XMLRPCValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    public var structMembers: [(String, XMLRPCValue)]? {
        if case .struct(let members) = self { members } else { nil }
    }

    /// The first member called `key` of a struct; nil for a missing key or a non-struct.
    public subscript(key: String) -> XMLRPCValue? {
        structMembers?.first { $0.0 == key }?.1
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> XMLRPCValue? {
        guard let elements = arrayValue, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}
