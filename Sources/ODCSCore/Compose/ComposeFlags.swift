/// `COMPOSE_FLAGS`: a bit mask whose names the JSON lists in definition order.
public struct ComposeFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let noDeps = ComposeFlags(rawValue: 1)
    public static let noInheritance = ComposeFlags(rawValue: 2)
    public static let includeUnpublishedPulpRepos = ComposeFlags(rawValue: 4)
    public static let checkDeps = ComposeFlags(rawValue: 8)
    public static let includeDoneModules = ComposeFlags(rawValue: 16)
    public static let ignoreAbsentPulpRepos = ComposeFlags(rawValue: 32)
    public static let noReuse = ComposeFlags(rawValue: 64)
    public static let useOnlyCompatibleArch = ComposeFlags(rawValue: 128)
    public static let noLabel = ComposeFlags(rawValue: 256)

    /// Every name in definition order; `no_flags` (0) is a name but never listed in JSON.
    public static let named: [(name: String, flag: ComposeFlags)] = [
        ("no_flags", []),
        ("no_deps", .noDeps),
        ("no_inheritance", .noInheritance),
        ("include_unpublished_pulp_repos", .includeUnpublishedPulpRepos),
        ("check_deps", .checkDeps),
        ("include_done_modules", .includeDoneModules),
        ("ignore_absent_pulp_repos", .ignoreAbsentPulpRepos),
        ("no_reuse", .noReuse),
        ("use_only_compatible_arch", .useOnlyCompatibleArch),
        ("no_label", .noLabel),
    ]

    public static var allNames: [String] { named.map(\.name) }

    public init?(name: String) {
        guard let entry = ComposeFlags.named.first(where: { $0.name == name }) else { return nil }
        self = entry.flag
    }

    /// The names of the set bits, as the compose JSON lists them.
    public var names: [String] {
        ComposeFlags.named.filter { !$0.flag.isEmpty && contains($0.flag) }.map(\.name)
    }
}

/// `COMPOSE_RESULTS`: `repository` is always present for API-created composes.
public struct ComposeResults: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let repository = ComposeResults(rawValue: 1)
    public static let iso = ComposeResults(rawValue: 2)
    public static let ostree = ComposeResults(rawValue: 4)
    public static let bootISO = ComposeResults(rawValue: 8)

    public static let named: [(name: String, result: ComposeResults)] = [
        ("repository", .repository), ("iso", .iso), ("ostree", .ostree), ("boot.iso", .bootISO),
    ]

    public static var allNames: [String] { named.map(\.name) }

    public init?(name: String) {
        guard let entry = ComposeResults.named.first(where: { $0.name == name }) else { return nil }
        self = entry.result
    }

    public var names: [String] { ComposeResults.named.filter { contains($0.result) }.map(\.name) }
}

/// `MULTILIB_METHODS`: `none` is 0 and so never appears in a mask.
public struct MultilibMethod: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let runtime = MultilibMethod(rawValue: 1)
    public static let devel = MultilibMethod(rawValue: 2)
    public static let all = MultilibMethod(rawValue: 4)

    public static let named: [(name: String, method: MultilibMethod)] = [
        ("none", []), ("runtime", .runtime), ("devel", .devel), ("all", .all),
    ]

    public init?(name: String) {
        guard let entry = MultilibMethod.named.first(where: { $0.name == name }) else { return nil }
        self = entry.method
    }

    public var names: [String] { MultilibMethod.named.filter { !$0.method.isEmpty && contains($0.method) }.map(\.name) }
}
