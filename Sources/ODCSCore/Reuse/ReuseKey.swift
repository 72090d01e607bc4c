/// The reuse key of a compose (reference §6): the fields upstream compares, in a canonical
/// text whose SHA-256 (computed by the store) is the indexed `request_hash`. Two composes
/// have the same key exactly when upstream's field-by-field comparison would match them;
/// the koji_event rules are checked on the candidates the key finds.
public struct ReuseKey: Sendable, Equatable {
    /// Bumped whenever the canonical form changes, so that old hashes stop matching.
    public static let version = "odcs-reuse-v1"

    public var canonicalText: String

    /// nil when upstream never reuses the compose: `no_reuse`, raw_config and pulp.
    public init?(_ compose: Compose) {
        if compose.flags.contains(.noReuse) { return nil }
        if compose.sourceType == .rawConfig || compose.sourceType == .pulp { return nil }

        // Whitespace-separated lists compare as sets: None, "" and the empty set are equal.
        func set(_ value: String?) -> String {
            Set((value ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
                .sorted().joined(separator: " ")
        }
        func exact(_ value: String?) -> String { value.map { "=" + $0 } ?? "null" }

        let fields: [(String, String)] = [
            ("source_type", String(compose.sourceType.rawValue)),
            ("source", exact(compose.source)),
            ("flags", String(compose.flags.rawValue)),
            ("results", String(compose.results.rawValue)),
            ("module_defaults_url", exact(compose.moduleDefaultsURL)),
            ("respin_of", exact(compose.respinOf)),
            ("target_dir", exact(compose.targetDir)),
            ("multilib_method", compose.multilibMethod.map(String.init) ?? "null"),
            ("packages", set(compose.packages)),
            ("builds", set(compose.builds)),
            ("sigkeys", set(compose.sigkeys)),
            ("arches", set(compose.arches)),
            ("lookaside_repos", set(compose.lookasideRepos)),
            ("multilib_arches", set(compose.multilibArches)),
            ("modular_koji_tags", set(compose.modularKojiTags)),
            ("scratch_modules", set(compose.scratchModules)),
            ("modules", set(compose.modules)),
            ("scratch_build_tasks", set(compose.scratchBuildTasks)),
            ("parent_pungi_compose_ids", set(compose.parentPungiComposeIDs)),
        ]
        // Each value is length-prefixed, so no value can forge a field boundary.
        canonicalText = ([Self.version] + fields.map { "\($0.0):\($0.1.utf8.count):\($0.1)" }).joined(separator: "\n")
    }

    /// Upstream's koji_event rules for one candidate found by key (reference §6). For tag
    /// composes this is only the first half: the caller must also ask Koji whether the tag
    /// changed since the candidate's event.
    public static func eventAllowsReuse(of candidate: Compose, by compose: Compose) -> Bool {
        if let mine = compose.kojiEvent, let theirs = candidate.kojiEvent, mine < theirs { return false }
        if compose.sourceType == .tag { return true }
        return compose.kojiEvent == candidate.kojiEvent
    }
}
