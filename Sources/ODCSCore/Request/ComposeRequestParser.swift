/// `POST /api/1/composes/`: turns a request body into a `NewCompose`, step by step as upstream
/// does (reference §1.5), so that the first error upstream would report is the one we report.
public struct ComposeRequestParser: Sendable {
    public var policy: RequestPolicy

    public init(policy: RequestPolicy) { self.policy = policy }

    public func parse(body: JSONValue, owner: String) throws(RequestError) -> NewCompose {
        guard body.isTruthy else { throw RequestError("No JSON POST data submitted") }
        guard case .object(let data) = body else {
            throw RequestError("Invalid source configuration provided: \(body.pythonRepr)")
        }
        try InputValidator.validate(data)

        guard case .object(let sourceData) = data["source"] ?? .null else {
            throw RequestError("Invalid source configuration provided: \(body.pythonRepr)")
        }
        guard let typeValue = sourceData["type"] else {
            throw RequestError("Missing type in source configuration, received: \(JSONValue.object(sourceData).pythonRepr)")
        }
        // The validator has made sure `type` is a string.
        let typeName = typeValue.stringValue ?? ""
        guard let sourceType = SourceType(name: typeName) else { throw RequestError("Unknown source type \"\(typeName)\"") }

        var sources: [String] = []
        if let rawSource = sourceData["source"], rawSource != .string("") {
            guard let text = rawSource.stringValue else { throw RequestError("source should be a string") }
            // Upstream de-duplicates through a Python set (random order); we sort, which is
            // deterministic and equally valid (docs/compatibility.md).
            var items = Set(text.split(separator: " ", omittingEmptySubsequences: false).map(String.init))
            // A doubled space gives an empty item; upstream keeps it, which only makes sense
            // for module sources (where it is reported as a malformed NSVC).
            if sourceType != .module { items.remove("") }
            sources = items.sorted()
        }
        let modules = try joinedList(sourceData, "modules")
        let scratchModules = try joinedList(sourceData, "scratch_modules")

        let hasScratchModules = !(scratchModules ?? "").isEmpty
        if sources.isEmpty, sourceType != .build, !(sourceType == .module && hasScratchModules) {
            throw RequestError("No source provided for \(sourceType.rawValue)")
        }

        var rawConfigKey: String?
        switch sourceType {
        case .rawConfig:
            guard sources.count <= 1 else { throw RequestError("Only single source is allowed for \"raw_config\" source_type") }
            let parts = sources[0].split(separator: "#", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw RequestError("Source must be in \"source_name#commit_hash\" format for \"raw_config\" source_type.")
            }
            let name = String(parts[0])
            guard policy.rawConfigs[name] != nil else {
                throw RequestError("Source \"\(name)\" does not exist in server configuration.")
            }
            // The commit goes to git as a revision: no options, no revision expressions.
            let commit = String(parts[1])
            guard ComposeFieldRules.Pattern.gitRevision.accepts(commit) else {
                throw RequestError("The commit of a \"raw_config\" source must be a git commit hash or branch name, but got \(commit)")
            }
            rawConfigKey = name
        case .module:
            for module in sources {
                let nsvc = module.split(separator: ":", omittingEmptySubsequences: false)
                guard nsvc.count >= 2 else {
                    throw RequestError("Module definition must be in \"n:s\", \"n:s:v\" or \"n:s:v:c\" format, but got \(module)")
                }
                if policy.baseModuleNames.contains(String(nsvc[0])) {
                    throw RequestError("ODCS currently cannot create compose with base modules, but \(nsvc[0]) was requested.")
                }
            }
        default:
            break
        }
        var compose = NewCompose(
            owner: owner, sourceType: sourceType, source: sources.joined(separator: " "),
            secondsToLive: try policy.secondsToLive(for: data, rawConfigKey: rawConfigKey))
        compose.modules = modules
        compose.scratchModules = scratchModules
        compose.packages = try joinedList(sourceData, "packages")
        compose.builds = try joinedList(sourceData, "builds")
        compose.sigkeys = try joinedList(sourceData, "sigkeys") ?? policy.defaultSigkeys.joined(separator: " ")
        compose.kojiEvent = try integer(sourceData, "koji_event")

        if let names = try stringList(data, "flags") {
            for name in names {
                guard let flag = ComposeFlags(name: name) else {
                    throw RequestError("('Unknown flag %s', \(JSONValue.pythonStringRepr(name)))")
                }
                compose.flags.formUnion(flag)
            }
        }
        if let names = try stringList(data, "results") {
            for name in names {
                guard let result = ComposeResults(name: name) else {
                    throw RequestError("('Unknown result %s', \(JSONValue.pythonStringRepr(name)))")
                }
                compose.results.formUnion(result)
            }
        }
        let arches = try joinedList(data, "arches")
        // Upstream's Compose.create replaces an empty arches list by the default.
        compose.arches = (arches?.isEmpty ?? true) ? policy.defaultArches.joined(separator: " ") : arches
        compose.multilibArches = try joinedList(data, "multilib_arches") ?? ""
        compose.lookasideRepos = try joinedList(data, "lookaside_repos") ?? ""
        compose.parentPungiComposeIDs = try joinedList(data, "parent_pungi_compose_ids")
        compose.respinOf = try string(data, "respin_of")

        if let names = try stringList(data, "multilib_method") {
            var method = MultilibMethod()
            for name in names {
                guard let value = MultilibMethod(name: name) else { throw RequestError("Unknown multilib method \"\(name)\"") }
                method.formUnion(value)
            }
            compose.multilibMethod = method.rawValue
        }

        compose.modularKojiTags = try joinedList(sourceData, "modular_koji_tags")
        let defaultsURL = try string(sourceData, "module_defaults_url")
        let defaultsCommit = try string(sourceData, "module_defaults_commit")
        if (defaultsURL ?? "").isEmpty != (defaultsCommit ?? "").isEmpty {
            throw RequestError("The \"module_defaults_url\" and \"module_defaults_commit\" must be used together.")
        }
        if let defaultsURL, let defaultsCommit, !defaultsURL.isEmpty {
            compose.moduleDefaultsURL = "\(defaultsURL) \(defaultsCommit)"
        }
        compose.scratchBuildTasks = try joinedList(sourceData, "scratch_build_tasks")
        compose.baseModuleBrName = try string(sourceData, "base_module_br_name")
        compose.baseModuleBrStream = try string(sourceData, "base_module_br_stream")
        compose.baseModuleBrStreamVersionLte = try integer(sourceData, "base_module_br_stream_version_lte")
        compose.baseModuleBrStreamVersionGte = try integer(sourceData, "base_module_br_stream_version_gte")

        compose.label = try string(data, "label")
        compose.composeType = try string(data, "compose_type") ?? "test"

        let targetDir = try string(data, "target_dir") ?? ""
        if targetDir.isEmpty || targetDir == "default" {
            compose.targetDir = policy.defaultTargetDir
        } else {
            guard let path = policy.extraTargetDirs[targetDir] else { throw RequestError("Unknown \"target_dir\" \"\(targetDir)\"") }
            compose.targetDir = path
        }
        try ComposeFieldRules(policy: policy).check(compose)
        return compose
    }
}

extension ComposeRequestParser {
    /// A list of strings joined by spaces, nil when the key is absent. Upstream would join a
    /// bare string character by character; we ask for a list (docs/compatibility.md).
    func joinedList(_ object: JSONObject, _ key: String) throws(RequestError) -> String? {
        try stringList(object, key)?.joined(separator: " ")
    }

    func stringList(_ object: JSONObject, _ key: String) throws(RequestError) -> [String]? {
        guard let value = object[key] else { return nil }
        guard case .array(let elements) = value else { throw RequestError("\(key) should be a list") }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let text) = element else { throw RequestError("\(key) should be a list of strings") }
            strings.append(text)
        }
        return strings
    }

    func string(_ object: JSONObject, _ key: String) throws(RequestError) -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let text) = value else { throw RequestError("\(key) should be a string") }
        return text
    }

    /// A stored integer (a bigint column). The JSON parser saturates integers beyond 64 bits
    /// at `Int.min`/`Int.max` (Python's are unbounded), so those two stand for "beyond" and are
    /// refused rather than stored as a value nobody sent; no Koji event or stream version is
    /// anywhere near them.
    func integer(_ object: JSONObject, _ key: String) throws(RequestError) -> Int64? {
        switch object[key] {
        case nil: return nil
        case .int(let i) where i == Int.max || i == Int.min:
            throw RequestError("\(key) is an integer beyond the 64 bits ODCS stores")
        case .int(let i): return Int64(i)
        case .bool(let b): return b ? 1 : 0
        default: throw RequestError("\(key) should be an integer")
        }
    }
}
