/// The strict shape of every compose field that becomes a path component, a file name, a URL
/// a node fetches, or an argument of a command — checked on POST, on PATCH (the copy a renewal
/// inserts), and by the worker on the stored compose before it generates anything, so that a
/// value stored by an older version cannot slip through either. Each refusal is a 400 that
/// names the field.
///
/// Upstream lets `/` and `.` through its character check (`InputValidator`), so `"arches":
/// ["../../odcs-9/compose/Temporary/x86_64"]` passes it; these rules do not. They are the first
/// wall; the second is `ConfinedPath`, through which the generators build every path.
public struct ComposeFieldRules: Sendable {
    public var policy: RequestPolicy

    public init(policy: RequestPolicy) { self.policy = policy }

    public func check(_ compose: NewCompose) throws(RequestError) {
        try checkCounts(compose)
        try checkSource(compose)
        try each(compose.arches, "arches", Pattern.arch)
        try each(compose.multilibArches, "multilib_arches", Pattern.arch)
        try each(compose.sigkeys, "sigkeys", Pattern.sigkey, keepEmpty: true)
        try each(compose.builds, "builds", Pattern.nvr)
        try each(compose.modules, "modules", Pattern.module)
        try each(compose.scratchModules, "scratch_modules", Pattern.module)
        try each(compose.scratchBuildTasks, "scratch_build_tasks", Pattern.number)
        try each(compose.modularKojiTags, "modular_koji_tags", Pattern.kojiTag)
        try each(compose.parentPungiComposeIDs, "parent_pungi_compose_ids", Pattern.composeID)
        try one(compose.respinOf, "respin_of", Pattern.composeID)
        try one(compose.label, "label", Pattern.label)
        try one(compose.composeType, "compose_type", Pattern.composeType)
        try one(compose.baseModuleBrName, "base_module_br_name", Pattern.moduleName)
        try one(compose.baseModuleBrStream, "base_module_br_stream", Pattern.moduleStream)
        for location in Self.items(compose.lookasideRepos) { try checkRepository(location, field: "lookaside_repos") }
        try checkModuleDefaults(compose.moduleDefaultsURL)
        // Package names go to comps.xml and Pungi's configuration, never into a path; XML 1.0
        // cannot carry control characters (nor PostgreSQL a NUL).
        for name in Self.items(compose.packages) where name.unicodeScalars.contains(where: Pattern.isControl) {
            throw RequestError("packages: \(Self.quoted(name)) contains a control character")
        }
    }

    /// Limits on list-valued fields, so that one request cannot make every later list response
    /// carry megabytes of it.
    func checkCounts(_ compose: NewCompose) throws(RequestError) {
        let packages = Self.items(compose.packages).count
        if packages > policy.maxPackages {
            throw RequestError("packages: \(packages) names are more than the \(policy.maxPackages) allowed (max_packages)")
        }
        let lists: [(String, String?)] = [
            ("source", compose.source), ("builds", compose.builds), ("modules", compose.modules),
            ("scratch_modules", compose.scratchModules), ("scratch_build_tasks", compose.scratchBuildTasks),
            ("sigkeys", compose.sigkeys), ("arches", compose.arches), ("multilib_arches", compose.multilibArches),
            ("lookaside_repos", compose.lookasideRepos), ("modular_koji_tags", compose.modularKojiTags),
            ("parent_pungi_compose_ids", compose.parentPungiComposeIDs),
        ]
        for (field, value) in lists {
            let count = Self.items(value).count
            if count > policy.maxListItems {
                throw RequestError("\(field): \(count) items are more than the \(policy.maxListItems) allowed (max_list_items)")
            }
        }
    }

    func checkSource(_ compose: NewCompose) throws(RequestError) {
        let sources = Self.items(compose.source)
        switch compose.sourceType {
        case .tag:
            for tag in sources { try check(tag, "source", Pattern.kojiTag) }
        case .build:
            for nvr in sources { try check(nvr, "source", Pattern.nvr) }
        case .module:
            for module in sources { try check(module, "source", Pattern.module) }
        case .repo:
            for location in sources { try checkRepository(location, field: "source") }
        case .pulp:
            for contentSet in sources { try check(contentSet, "source", Pattern.contentSet) }
        case .pungiCompose:
            for url in sources {
                guard URLRules.isFetchable(url) else {
                    throw RequestError("source: \(Self.quoted(url)) is not an http(s) URL of a compose variant")
                }
                try checkAllowedURL(url, field: "source")
            }
        case .rawConfig:
            // `name#commit`: the name is a configured key, the commit was checked by the parser.
            break
        }
    }

    /// An absolute path (lexically normal, inside `repo_source_roots`) or an http(s) URL
    /// (under `repo_source_url_prefixes` when they are set).
    func checkRepository(_ location: String, field: String) throws(RequestError) {
        if location.hasPrefix("/") {
            guard Pattern.isNormalAbsolutePath(location) else {
                throw RequestError(
                    "\(field): \(Self.quoted(location)) is not a normal absolute path (no '.', '..' or empty components)")
            }
            guard policy.repoSourceRoots.contains(where: { Pattern.isPath(location, inside: $0) }) else {
                throw RequestError("\(field): \(Self.quoted(location)) is not inside an allowed local directory (repo_source_roots)")
            }
            return
        }
        guard URLRules.isFetchable(location) else {
            throw RequestError("\(field): \(Self.quoted(location)) is neither an absolute path nor an http(s) URL")
        }
        try checkAllowedURL(location, field: field)
    }

    func checkAllowedURL(_ url: String, field: String) throws(RequestError) {
        guard URLRules.isAllowed(url, prefixes: policy.sourceURLPrefixes) else {
            throw RequestError("\(field): \(Self.quoted(url)) is not under an allowed URL prefix (repo_source_url_prefixes)")
        }
    }

    /// `"<git url> <commit>"` as the parser stores it.
    func checkModuleDefaults(_ value: String?) throws(RequestError) {
        guard let value, !value.isEmpty else { return }
        let parts = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, URLRules.isFetchable(parts[0], schemes: ["http", "https", "git"]) else {
            throw RequestError("module_defaults_url: \(Self.quoted(value)) is not an http(s) or git URL")
        }
        try checkAllowedURL(parts[0], field: "module_defaults_url")
        try check(parts[1], "module_defaults_commit", Pattern.gitRevision)
    }

    func each(_ value: String?, _ field: String, _ pattern: Pattern, keepEmpty: Bool = false) throws(RequestError) {
        for item in Self.items(value, keepEmpty: keepEmpty) { try check(item, field, pattern) }
    }

    func one(_ value: String?, _ field: String, _ pattern: Pattern) throws(RequestError) {
        guard let value, !value.isEmpty else { return }
        try check(value, field, pattern)
    }

    func check(_ value: String, _ field: String, _ pattern: Pattern) throws(RequestError) {
        guard pattern.matches(value) else { throw RequestError("\(field): \(Self.quoted(value)) is not \(pattern.summary)") }
    }

    /// The items of a space-joined field; empty ones dropped unless `keepEmpty` (a `""` sigkey
    /// means "unsigned allowed").
    static func items(_ value: String?, keepEmpty: Bool = false) -> [String] {
        guard let value, !value.isEmpty else { return [] }
        return value.split(separator: " ", omittingEmptySubsequences: !keepEmpty).map(String.init)
    }
}

extension ComposeFieldRules {
    /// A refused value as a message quotes it: at most its first 200 characters, so that a
    /// megabyte-long value is not sent back whole in the error.
    static func quoted(_ value: String) -> String {
        guard value.unicodeScalars.count > 200 else { return value.debugDescription }
        return String(String.UnicodeScalarView(value.unicodeScalars.prefix(200))).debugDescription + "…"
    }
}
