/// The members of a role such as `admins`: user names and group names (upstream
/// `{"users": [...], "groups": [...]}`).
public struct RoleMembers: Sendable, Equatable {
    public var users: Set<String>
    public var groups: Set<String>

    public init(users: Set<String> = [], groups: Set<String> = []) {
        self.users = users
        self.groups = groups
    }

    /// Upstream `has_role`: the user is listed, or shares a group with the role.
    public func contains(_ identity: Identity) -> Bool {
        users.contains(identity.username) || !groups.isDisjoint(with: identity.groups)
    }

    /// Reads `{"users": [names], "groups": [names]}`; `key` names the setting in errors.
    public init(parsing value: JSONValue, key: String) throws(AccessConfigurationError) {
        guard case .object(let object) = value else { throw AccessConfigurationError("\(key) must be a mapping with users and groups") }
        var users: Set<String> = []
        var groups: Set<String> = []
        for (field, names) in object.entries {
            guard case .array(let elements) = names, elements.allSatisfy({ $0.stringValue != nil }) else {
                throw AccessConfigurationError("\(key).\(field) must be a list of names")
            }
            let set = Set(elements.compactMap(\.stringValue))
            switch field {
            case "users": users = set
            case "groups": groups = set
            default: throw AccessConfigurationError("\(key).\(field) is unknown: \(key) has users and groups (a list of names)")
            }
        }
        self.init(users: users, groups: groups)
    }
}

/// A malformed `admins` or `allowed_clients` setting; the message names the bad key.
public struct AccessConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
