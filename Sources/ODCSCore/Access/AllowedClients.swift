/// `allowed_clients`: the users and groups who may create and renew composes, each with the
/// limits of its entry (reference §8.3).
public struct AllowedClients: Sendable, Equatable {
    public var users: [String: ClientLimits]
    public var groups: [String: ClientLimits]

    public init(users: [String: ClientLimits] = [:], groups: [String: ClientLimits] = [:]) {
        self.users = users
        self.groups = groups
    }

    /// Reads `{"users": {name: limits}, "groups": {name: limits}}`.
    public init(parsing value: JSONValue, key: String = "allowed_clients") throws(AccessConfigurationError) {
        guard case .object(let object) = value else { throw AccessConfigurationError("\(key) must be a mapping with users and groups") }
        var users: [String: ClientLimits] = [:]
        var groups: [String: ClientLimits] = [:]
        for (field, entries) in object.entries {
            guard case .object(let names) = entries else {
                throw AccessConfigurationError("\(key).\(field) must be a mapping of names to their limits")
            }
            var parsed: [String: ClientLimits] = [:]
            for (name, limits) in names.entries {
                parsed[name] = try ClientLimits(parsing: limits, key: "\(key).\(field).\(name)")
            }
            switch field {
            case "users": users = parsed
            case "groups": groups = parsed
            default: throw AccessConfigurationError("\(key).\(field) is unknown: \(key) has users and groups (a mapping of names)")
            }
        }
        self.init(users: users, groups: groups)
    }

    /// Upstream `has_role("allowed_clients")`: the user has an entry, or one of its groups has.
    public func contains(_ identity: Identity) -> Bool {
        users[identity.username] != nil || identity.groups.contains { groups[$0] != nil }
    }

    /// Every entry that applies to the identity: its user entry first, then its groups'
    /// entries in name order. Upstream ignores the groups when the user has an entry; we do
    /// not (docs/compatibility.md), so a user entry can only add to what the groups allow.
    public func entries(for identity: Identity) -> [ClientLimits] {
        var result: [ClientLimits] = []
        if let own = users[identity.username] { result.append(own) }
        for group in identity.groups.sorted() {
            if let limits = groups[group] { result.append(limits) }
        }
        return result
    }
}
