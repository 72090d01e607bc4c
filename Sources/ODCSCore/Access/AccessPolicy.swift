/// Who may do what (reference §8.2–8.4): the `admins` role, the `allowed_clients` role and
/// its per-attribute limits, with the global `allowed_*` defaults.
///
/// Usage: `try policy.requireAllowedClient(caller)` before a POST or PATCH is parsed, then
/// `try policy.requireInputAllowed(caller, ComposeAccessRequest(creating: compose))`.
/// The anonymous `noauth` caller passes every check, as upstream.
public struct AccessPolicy: Sendable, Equatable {
    public var admins: RoleMembers
    public var allowedClients: AllowedClients
    /// The limit of an attribute an entry does not name (upstream `conf.allowed_<attr>`).
    public var defaults: ClientLimits
    public var defaultTargetDir: String
    public var extraTargetDirs: [String: String]

    public init(
        admins: RoleMembers = RoleMembers(), allowedClients: AllowedClients = AllowedClients(),
        defaults: ClientLimits = AccessPolicy.upstreamDefaults(rawConfigKeys: []), defaultTargetDir: String = "/tmp",
        extraTargetDirs: [String: String] = [:]
    ) {
        self.admins = admins
        self.allowedClients = allowedClients
        self.defaults = defaults
        self.defaultTargetDir = defaultTargetDir
        self.extraTargetDirs = extraTargetDirs
    }

    /// Upstream's `allowed_*` defaults: tag, module and build; any source; x86_64; every
    /// flag and result; any compose type; only the default target dir; every raw_config
    /// key. `sigkeys` (not upstream's) defaults to any.
    public static func upstreamDefaults(rawConfigKeys: [String]) -> ClientLimits {
        ClientLimits([
            .sourceTypes: ["tag", "module", "build"], .sources: [""], .arches: ["x86_64"], .flags: ComposeFlags.allNames,
            .results: ComposeResults.allNames, .composeTypes: [""], .targetDirs: [], .rawConfigKeys: rawConfigKeys.sorted(),
            .sigkeys: [""],
        ])
    }

    public func isAdmin(_ caller: Caller) -> Bool {
        guard let identity = caller.identity else { return true }
        return admins.contains(identity)
    }

    /// `requires_role("allowed_clients")`. Admins pass too: upstream makes an admin who is
    /// not in allowed_clients fail here (docs/compatibility.md).
    public func requireAllowedClient(_ caller: Caller) throws(RequestError) {
        guard let identity = caller.identity, !admins.contains(identity) else { return }
        guard allowedClients.contains(identity) else {
            throw RequestError(.forbidden, "User \(identity.username) is not in role allowed_clients.")
        }
    }

    /// `raise_if_input_not_allowed`: admins skip it; otherwise one applicable entry must allow
    /// every value of every attribute. The 403 lists, for each entry, the first refused value
    /// of each attribute, in attribute order (upstream: a Python set's random order).
    public func requireInputAllowed(_ caller: Caller, _ request: ComposeAccessRequest) throws(RequestError) {
        guard let identity = caller.identity, !admins.contains(identity) else { return }
        var errors: [String] = []
        for entry in allowedClients.entries(for: identity) {
            let refused = refusals(of: request, by: entry)
            if refused.isEmpty { return }
            for (attribute, value) in refused {
                let message = "User \(identity.username) not allowed to operate with compose with \(attribute.rawValue)=\(value)."
                if !errors.contains(message) { errors.append(message) }
            }
        }
        throw RequestError(
            .forbidden,
            errors.isEmpty ? "User \(identity.username) not allowed to operate with any compose." : errors.joined(separator: " "))
    }

    /// For each attribute the entry does not allow, the first value it refuses.
    func refusals(of request: ComposeAccessRequest, by entry: ClientLimits) -> [(ClientAttribute, String)] {
        var refused: [(ClientAttribute, String)] = []
        for attribute in ClientAttribute.allCases {
            let allowed = entry.allowed[attribute] ?? defaults.allowed[attribute] ?? []
            if let value = values(of: attribute, in: request).first(where: { !ClientLimits.permits($0, in: allowed) }) {
                refused.append((attribute, value))
            }
        }
        return refused
    }

    /// An attribute's values as upstream converts them: names for the bit masks (without
    /// `no_flags`, see docs/compatibility.md), space-separated strings split on single
    /// spaces, the default target dir never checked.
    func values(of attribute: ClientAttribute, in request: ComposeAccessRequest) -> [String] {
        func split(_ text: String?) -> [String] {
            guard let text else { return [] }
            return text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        }
        switch attribute {
        case .sourceTypes: return [request.sourceType.name]
        case .sources: return split(request.source)
        case .results: return request.results.names
        case .flags: return request.flags.names
        case .arches: return split(request.arches)
        case .composeTypes: return split(request.composeType)
        case .targetDirs:
            guard let path = request.targetDir, path != defaultTargetDir else { return [] }
            return [extraTargetDirs.sorted { $0.key < $1.key }.first { $0.value == path }?.key ?? path]
        case .rawConfigKeys: return request.rawConfigKey.map { [$0] } ?? []
        case .sigkeys: return split(request.sigkeys)
        }
    }
}
