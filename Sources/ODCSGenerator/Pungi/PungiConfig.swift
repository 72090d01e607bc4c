import ODCSCore

/// The Pungi configuration ODCS writes for a compose it configures itself (every source type
/// but raw_config and pulp): `pungi.json` with the keys and values of upstream's
/// `conf/pungi.conf` template in its order (reference §10.2), `variants.xml` (§10.3) and
/// `comps.xml` (§10.4).
///
///     let files = try PungiConfig(compose: compose, settings: .init(kojiProfile: "koji"))
///     files.json        // {"release_name": "odcs-1", "release_short": "odcs-1", ...}
struct PungiConfig: Sendable {
    /// What the template takes from the server configuration.
    struct Settings: Sendable, Equatable {
        /// `koji_profile`; upstream renders an unset profile as the string `None`.
        var kojiProfile: String?
        /// `mbs_url`, for `mbs_api_url` of scratch modules.
        var mbsURL: String
        /// Arches of a compose that names none (`arches`).
        var defaultArches: [String]

        init(kojiProfile: String? = nil, mbsURL: String = "http://localhost/module-build-service", defaultArches: [String] = ["x86_64"]) {
            self.kojiProfile = kojiProfile
            self.mbsURL = mbsURL
            self.defaultArches = defaultArches
        }
    }

    var config: JSONObject
    var variantsXML: String
    var compsXML: String

    /// `pungi.json` as upstream writes it (`json.dumps` of the parsed template).
    var json: String { PythonJSON.dumps(.object(config)) }

    init(compose: Compose, settings: Settings) throws {
        let type = compose.sourceType
        guard type != .rawConfig, type != .pulp else {
            throw GeneratorError("Unknown source_type \(type.rawValue) for an ODCS-generated Pungi configuration.")
        }
        let packages = Self.words(compose.packages)
        if type == .module, !packages.isEmpty {
            throw GeneratorError("Exact packages cannot be set for MODULE source type.")
        }
        let arches =
            compose.arches.flatMap { $0.isEmpty ? nil : $0.split(separator: " ", omittingEmptySubsequences: false).map(String.init) }
            ?? settings.defaultArches
        let moduleTags = type == .tag ? Self.words(compose.modularKojiTags) : []

        var c = JSONObject()
        c["release_name"] = .string(compose.name)
        c["release_short"] = .string(String(compose.name.prefix(16)))
        c["release_version"] = "1"
        c["release_is_layered"] = false
        let bootable = compose.results.contains(.bootISO)
        c["bootable"] = .bool(bootable)
        c["variants_file"] = "variants.xml"
        // `"a b".split(" ")` as upstream splits it: "sigkey1 " keeps its empty (None) key.
        let sigkeys = (compose.sigkeys ?? "").isEmpty ? [] : compose.sigkeys!.split(separator: " ", omittingEmptySubsequences: false)
        c["sigkeys"] = sigkeys.isEmpty ? [.null] : .array(sigkeys.map { .string(String($0)) })
        c["hashed_directories"] = true
        c["runroot"] = false
        if type == .repo {
            c["pkgset_source"] = "repos"
            c["pkgset_repos"] = .object(JSONObject(arches.map { (key: $0, value: [.string(compose.source)]) }))
        } else {
            c["pkgset_source"] = "koji"
            c["pkgset_koji_tag"] = .string(type == .tag ? compose.source : "")
            if !moduleTags.isEmpty { c["pkgset_koji_module_tag"] = .array(moduleTags.map(JSONValue.string)) }
            let defaults = type == .tag || type == .module ? Self.words(compose.moduleDefaultsURL) : []
            if !defaults.isEmpty {
                c["module_defaults_dir"] = [
                    "scm": "git", "repo": .string(defaults[0]), "branch": .string(defaults.count > 1 ? defaults[1] : ""), "dir": ".",
                ]
            }
            c["pkgset_koji_inherit"] = .bool(!compose.flags.contains(.noInheritance))
            c["pkgset_koji_builds"] = .array(Self.words(compose.builds).map(JSONValue.string))
        }
        let scratchModules = Self.words(compose.scratchModules)
        if !scratchModules.isEmpty {
            c["mbs_api_url"] = .string(Self.join(settings.mbsURL, "1"))
            c["pkgset_scratch_modules"] = ["^Temporary$": .array(scratchModules.map(JSONValue.string))]
        }
        let scratchTasks = Self.words(compose.scratchBuildTasks)
        if !scratchTasks.isEmpty { c["pkgset_koji_scratch_tasks"] = .array(scratchTasks.map(JSONValue.string)) }
        c["pkgset_allow_reuse"] = .bool(!compose.flags.contains(.noReuse))
        if (type == .tag || type == .build) && packages.isEmpty {
            c["additional_packages"] = [["^Temporary$", ["*": ["*"]]]]
        }
        c["filter_system_release_packages"] = false
        let methods = MultilibMethod(rawValue: compose.multilibMethod ?? 0).names.map(JSONValue.string)
        c["multilib"] = [["^.*$", .object(JSONObject(Self.words(compose.multilibArches).map { (key: $0, value: .array(methods)) }))]]
        c["gather_source"] = type == .module ? "module" : "comps"
        let gatherMethod: String
        if compose.flags.contains(.noDeps) || type == .module {
            gatherMethod = "nodeps"
        } else {
            gatherMethod = moduleTags.isEmpty ? "deps" : "hybrid"
        }
        c["gather_method"] = .string(gatherMethod)
        if type != .module { c["comps_file"] = "comps.xml" }
        c["check_deps"] = .bool(compose.flags.contains(.checkDeps))
        c["greedy_method"] = "build"
        c["gather_lookaside_repos"] = [["^.*$", ["*": .array(Self.words(compose.lookasideRepos).map(JSONValue.string))]]]
        c["createrepo_c"] = true
        c["createrepo_checksum"] = "sha256"
        c["createrepo_enable_cache"] = false
        c["media_checksums"] = ["sha256"]
        c["create_jigdo"] = false
        if bootable {
            c["buildinstall_method"] = "lorax"
            c["buildinstall_topdir"] = "/mnt/koji/compose/odcs"
        }
        var skip: [JSONValue] = []
        if !compose.results.contains(.iso) { skip.append("createiso") }
        if !bootable { skip.append("buildinstall") }
        c["skip_phases"] = .array(skip + ["live_media", "live_images", "ostree"])
        c["translate_paths"] = [["/mnt/koji/compose/", "http://kojipkgs.fedoraproject.org/compose/"]]
        c["koji_profile"] = .string(settings.kojiProfile ?? "None")
        c["repoclosure_strictness"] = [[".*", ["*": "off"]]]
        config = c

        var modules: [String] = []
        if type == .module {
            modules = Self.words(compose.source)
        } else if !moduleTags.isEmpty {
            modules = ["*"]
        }
        variantsXML = Self.variants(arches: arches, group: type == .tag && !packages.isEmpty, modules: modules)
        compsXML = type == .module ? "" : Self.comps(packages: packages)
    }

    /// `text.split(" ")` without the empty words of an empty or absent field.
    static func words(_ text: String?) -> [String] {
        (text ?? "").split(separator: " ").map(String.init)
    }

    /// `os.path.join(base, relative)`.
    static func join(_ base: String, _ relative: String) -> String {
        base.isEmpty || base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// Package names are the one request value upstream lets through unchecked (and inserts
    /// raw); here they are escaped, so that no name can break the XML.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Upstream's `VARIANTS_TEMPLATE` rendered for the single variant `Temporary`.
    static func variants(arches: [String], group: Bool, modules: [String]) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE variants PUBLIC "-//Red Hat, Inc.//DTD Variants info//EN" "variants2012.dtd">
            <variants>
              <variant id="Temporary" name="Temporary" type="variant">
                <arches>
            """
        for arch in arches { xml += "\n      <arch>\(escaped(arch))</arch>" }
        xml += "\n    </arches>"
        if group { xml += "\n    <groups>\n        <group default=\"true\">odcs-group</group>\n    </groups>" }
        if !modules.isEmpty {
            xml += "\n    <modules>"
            for module in modules { xml += "\n      <module>\(escaped(module))</module>" }
            xml += "\n    </modules>"
        }
        xml += "\n  </variant>\n</variants>\n"
        return xml
    }

    /// Upstream's `COMPS_TEMPLATE` with the one group `odcs-group` (reference §10.4), what Pungi
    /// is given; the native generators write what Pungi makes of it (`FilteredComps`). Names
    /// are escaped here, where upstream inserts them raw.
    static func comps(packages: [String]) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
            <comps>
              <group>
                <id>odcs-group</id>
                <name>odcs-group</name>
                <description>ODCS compose default group</description>
                <default>true</default>
                <uservisible>true</uservisible>
                <packagelist>
            """
        for package in packages { xml += "\n        <packagereq>\(escaped(package))</packagereq>" }
        xml += "\n    </packagelist>\n  </group>\n</comps>\n"
        return xml
    }
}
