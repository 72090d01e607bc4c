import ArgumentParser
import ODCSCore

extension ComposeCommand {
    /// `odcs compose create TYPE [SOURCE…]`: one command for every source type, with the
    /// options of upstream's `create-*` commands (reference §14.3) as flags.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request a compose.",
            discussion: """
                TYPE is tag, module, repo, pulp, raw_config, build or pungi_compose. SOURCE is a Koji tag (tag), \
                N:S[:V[:C]] modules (module), repository URLs or paths (repo), content sets (pulp), NAME#COMMIT \
                (raw_config), build NVRs (build) or the URL of another compose's variant directory (pungi_compose).
                """)

        @Argument(help: "The source type.", completion: .list(SourceType.allCases.map(\.name)))
        var type: String
        @Argument(help: "The sources (for build: the NVRs).") var sources: [String] = []

        @Option(name: .customLong("package"), help: "Include only this package (repeat).") var packages: [String] = []
        @Option(name: .customLong("build"), help: "Koji build NVR to add (repeat).") var builds: [String] = []
        @Option(name: .customLong("sigkey"), help: "Signing key, in order of preference (repeat; 'none' allows unsigned).")
        var sigkeys: [String] = []
        @Option(help: "Build from this Koji event.") var kojiEvent: Int?
        @Option(name: .customLong("arch"), help: "Architecture (repeat; default: the server's).") var arches: [String] = []
        @Option(name: .customLong("multilib-arch"), help: "Architecture that gets multilib packages (repeat).")
        var multilibArches: [String] = []
        @Option(name: .customLong("multilib-method"), help: "Multilib method: none, runtime, devel, all (repeat).")
        var multilibMethods: [String] = []
        @Option(
            name: .customLong("flag"), help: "Compose flag, e.g. no_deps, check_deps, no_reuse (repeat).",
            completion: .list(ComposeFlags.allNames))
        var flags: [String] = []
        @Option(
            name: .customLong("result"), help: "Extra result: iso, ostree, boot.iso (repeat).",
            completion: .list(ComposeResults.allNames))
        var results: [String] = []
        @Option(name: .customLong("lookaside-repo"), help: "Lookaside repository URL (repeat).") var lookasideRepos: [String] = []
        @Option(help: "Compose label, e.g. Beta-1.0.") var label: String?
        @Option(help: "Compose type: test (default), ci, nightly, production, development.") var composeType: String?
        @Option(help: "Target directory name (default: the server's default).") var targetDir: String?
        @Option(name: [.customLong("seconds-to-live"), .customLong("ttl")], help: "Time to live in seconds.")
        var secondsToLive: Int?
        @Option(name: .customLong("modular-tag"), help: "Koji tag with modular builds (repeat).") var modularTags: [String] = []
        @Option(help: "Git URL of the module defaults (with --module-defaults-commit).") var moduleDefaultsURL: String?
        @Option(help: "Commit of the module defaults.") var moduleDefaultsCommit: String?
        @Option(name: .customLong("scratch-module"), help: "Scratch module N:S:V:C (repeat).") var scratchModules: [String] = []
        @Option(name: .customLong("scratch-build-task"), help: "Koji scratch build task id (repeat).")
        var scratchBuildTasks: [String] = []
        @Option(help: "Base module buildrequire name (module).") var baseModuleBrName: String?
        @Option(help: "Base module buildrequire stream (module).") var baseModuleBrStream: String?
        @Option(help: "Highest base module stream version (module).") var baseModuleBrStreamVersionLte: Int?
        @Option(help: "Lowest base module stream version (module).") var baseModuleBrStreamVersionGte: Int?
        @Option(name: .customLong("parent-pungi-compose-id"), help: "Pungi compose id of a parent compose (repeat).")
        var parentPungiComposeIDs: [String] = []
        @Option(help: "Pungi compose id of the compose this one respins.") var respinOf: String?
        @Flag(help: "Wait for the compose to finish, showing its progress.") var wait = false
        @Option(help: "With --wait: give up after this many seconds (exit 2).") var timeout: Int?
        @OptionGroup var options: ClientOptions

        func validate() throws {
            guard let sourceType = SourceType(name: type) else {
                throw ValidationError("unknown source type \"\(type)\" (one of \(SourceType.allCases.map(\.name).joined(separator: ", ")))")
            }
            switch sourceType {
            case .build where sources.isEmpty && builds.isEmpty: throw ValidationError("a build compose needs NVRs")
            case .module where sources.isEmpty && scratchModules.isEmpty:
                throw ValidationError("a module compose needs modules or --scratch-module")
            case .build, .module: break
            default: if sources.isEmpty { throw ValidationError("a \(type) compose needs a source") }
            }
            if let secondsToLive, secondsToLive < 1 { throw ValidationError("--seconds-to-live must be 1 or more") }
            if (moduleDefaultsURL == nil) != (moduleDefaultsCommit == nil) {
                throw ValidationError("--module-defaults-url and --module-defaults-commit go together")
            }
        }

        /// The request body (reference §1.5): source keys under `source`, the rest at the top.
        func body() -> JSONValue {
            func list(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
            var source = JSONObject()
            source["type"] = .string(type)
            if type == SourceType.build.name {
                source["source"] = .string("")
                source["builds"] = list(sources + builds)
            } else {
                source["source"] = .string(sources.joined(separator: " "))
                if !builds.isEmpty { source["builds"] = list(builds) }
            }
            if !packages.isEmpty { source["packages"] = list(packages) }
            // Upstream's CLI turns `--sigkey none` into the empty key (unsigned allowed).
            if !sigkeys.isEmpty { source["sigkeys"] = list(sigkeys.map { $0 == "none" ? "" : $0 }) }
            if let kojiEvent { source["koji_event"] = .int(kojiEvent) }
            if !modularTags.isEmpty { source["modular_koji_tags"] = list(modularTags) }
            if let moduleDefaultsURL { source["module_defaults_url"] = .string(moduleDefaultsURL) }
            if let moduleDefaultsCommit { source["module_defaults_commit"] = .string(moduleDefaultsCommit) }
            if !scratchModules.isEmpty { source["scratch_modules"] = list(scratchModules) }
            if !scratchBuildTasks.isEmpty { source["scratch_build_tasks"] = list(scratchBuildTasks) }
            if let baseModuleBrName { source["base_module_br_name"] = .string(baseModuleBrName) }
            if let baseModuleBrStream { source["base_module_br_stream"] = .string(baseModuleBrStream) }
            if let baseModuleBrStreamVersionLte { source["base_module_br_stream_version_lte"] = .int(baseModuleBrStreamVersionLte) }
            if let baseModuleBrStreamVersionGte { source["base_module_br_stream_version_gte"] = .int(baseModuleBrStreamVersionGte) }

            var body = JSONObject()
            body["source"] = .object(source)
            if !flags.isEmpty { body["flags"] = list(flags) }
            if !results.isEmpty { body["results"] = list(results) }
            if !arches.isEmpty { body["arches"] = list(arches) }
            if !multilibArches.isEmpty { body["multilib_arches"] = list(multilibArches) }
            if !multilibMethods.isEmpty { body["multilib_method"] = list(multilibMethods) }
            if !lookasideRepos.isEmpty { body["lookaside_repos"] = list(lookasideRepos) }
            if !parentPungiComposeIDs.isEmpty { body["parent_pungi_compose_ids"] = list(parentPungiComposeIDs) }
            if let respinOf { body["respin_of"] = .string(respinOf) }
            if let label { body["label"] = .string(label) }
            if let composeType { body["compose_type"] = .string(composeType) }
            if let targetDir { body["target_dir"] = .string(targetDir) }
            if let secondsToLive { body["seconds_to_live"] = .int(secondsToLive) }
            return .object(body)
        }

        func run() async throws {
            let body = body()
            try await ClientExit.run {
                let compose = try await options.client().send(.POST, "/api/1/composes/", body: body)
                return try await ComposeView.finish(compose, wait: wait, timeout: timeout, options: options)
            }
        }
    }
}
