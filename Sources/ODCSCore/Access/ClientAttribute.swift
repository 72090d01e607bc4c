/// The attributes an `allowed_clients` entry may limit, in the order upstream checks them
/// (`raise_if_input_not_allowed`'s keyword order on POST), then our `sigkeys`.
public enum ClientAttribute: String, Sendable, CaseIterable {
    case sourceTypes = "source_types"
    case sources
    case results
    case flags
    case arches
    case composeTypes = "compose_types"
    case targetDirs = "target_dirs"
    case rawConfigKeys = "raw_config_keys"
    case sigkeys
}

/// What one `allowed_clients` entry allows: for each attribute the allowed values. `[""]`
/// allows any value, `[]` none (upstream's rules).
public struct ClientLimits: Sendable, Equatable {
    public var allowed: [ClientAttribute: [String]]

    public init(_ allowed: [ClientAttribute: [String]] = [:]) {
        self.allowed = allowed
    }

    /// Reads `{"source_types": [...], "arches": [...], ...}`; `key` names the entry in errors.
    public init(parsing value: JSONValue, key: String) throws(AccessConfigurationError) {
        guard case .object(let object) = value else {
            throw AccessConfigurationError("\(key) must be a mapping of attributes to lists of allowed values")
        }
        var allowed: [ClientAttribute: [String]] = [:]
        for (name, values) in object.entries {
            guard let attribute = ClientAttribute(rawValue: name) else {
                let names = ClientAttribute.allCases.map(\.rawValue).joined(separator: ", ")
                throw AccessConfigurationError("\(key).\(name) is unknown: the attributes are \(names)")
            }
            guard case .array(let elements) = values, elements.allSatisfy({ $0.stringValue != nil }) else {
                throw AccessConfigurationError("\(key).\(name) must be a list of strings")
            }
            allowed[attribute] = elements.compactMap(\.stringValue)
        }
        self.init(allowed)
    }

    /// Upstream's test: a value passes when the list is the wildcard `[""]` or contains it.
    static func permits(_ value: String, in list: [String]) -> Bool {
        list == [""] || list.contains(value)
    }
}
