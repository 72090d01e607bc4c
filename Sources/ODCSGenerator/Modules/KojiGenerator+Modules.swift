import Foundation
import ODCSCore
import ODCSKoji
import ODCSRepo
import SystemPackage

/// Modular content from Koji, shared by the `module` type and by `tag` composes with
/// `modular_koji_tags`: the modules tagged in modular tags, each module's RPM artifacts in its
/// content tag, and the `modules.yaml` added to the os repositories.
extension KojiGenerator {
    /// The module builds in `tags` at `event`, as upstream's `get_module_from_koji_tags` and
    /// Pungi's `pkgset_koji_module_tag` take them (`listTagged(tag, event, inherit=True,
    /// type="module")`):
    /// - in each tag, a `name:stream` comes only from the topmost tag of the inheritance that has it;
    /// - a `name:stream` found in one of `tags` is skipped in the later ones;
    /// - of each `name:stream`, only the latest version, with all of its contexts;
    /// - each build's modulemd and content tag are read with `getBuild`.
    func taggedModules(in tags: [String], event: Int64, log: StepLog) async throws -> [KojiModule] {
        var found: [KojiBuild] = []
        var foundStreams = Set<String>()
        for tag in tags {
            guard let info = try await koji.getTag(tag) else { throw GeneratorError("Unknown Koji tag \(tag).") }
            let order = [tag] + (try await koji.getFullInheritance(info.id, event: event)).map(\.name)
            let builds = try await koji.listTagged(tag, event: event, inherit: true, type: "module")
            var streams = Set<String>()
            for (stream, group) in Dictionary(grouping: builds, by: { "\($0.name):\($0.version)" }) {
                streams.insert(stream)
                guard !foundStreams.contains(stream) else { continue }
                let available = Set(group.compactMap(\.tagName))
                let topmost = order.first { available.contains($0) }
                found += group.filter { $0.tagName == topmost || topmost == nil }
            }
            foundStreams.formUnion(streams)
        }
        func version(_ build: KojiBuild) -> Int64 { Int64(build.release.prefix { $0 != "." }) ?? 0 }
        var latest: [String: Int64] = [:]
        for build in found {
            let stream = "\(build.name):\(build.version)"
            latest[stream] = max(latest[stream] ?? 0, version(build))
        }
        var modules: [KojiModule] = []
        for build in found.sorted(by: { $0.nvr < $1.nvr }) where version(build) == latest["\(build.name):\(build.version)"] {
            modules.append(try await moduleInfo(build))
        }
        log.info(
            "Modules in \(tags.joined(separator: " ")) at event \(event): "
                + (modules.isEmpty ? "none" : modules.map(\.nsvc).joined(separator: " ")))
        return modules
    }

    /// The build's modulemd and content tag (`getBuild`, `extra.typeinfo.module`).
    func moduleInfo(_ build: KojiBuild) async throws -> KojiModule {
        guard let module = try await koji.getBuild(id: build.id)?.module else {
            throw GeneratorError("Koji build \(build.nvr) is not a module build with a modulemd.")
        }
        return module
    }

    /// Every context of the module builds named by an `N:S:V` or `N:S:V:C` (upstream's
    /// `find_exact_module`: Koji's `search` for the build NVR `N-S-V.C`, the stream's `-` as `_`).
    func exactModules(_ nsvOrNSVC: String) async throws -> [KojiModule] {
        let parts = nsvOrNSVC.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let context = parts.count > 3 ? parts[3] : "*"
        let nvr = "\(parts[0])-\(parts[1].replacingOccurrences(of: "-", with: "_"))-\(parts[2]).\(context)"
        var modules: [KojiModule] = []
        for id in try await koji.searchBuilds(nvr, glob: true) {
            guard let module = try await koji.getBuild(id: id)?.module else { continue }
            modules.append(module)
        }
        return modules
    }

    /// A module compose's modules from `modular_koji_tags` (upstream's `depsolve_modules`, at
    /// `event`): each `N:S` is the latest of that stream in the tags, an `N:S:V[:C]` is looked
    /// up exactly; the runtime requirements of every module found (but `platform`) are added
    /// from the tags, always, as upstream does. A requested module found nowhere fails the
    /// compose with a reason (upstream goes on with an empty source and fails later).
    func depsolveModules(_ requested: [String], tags: [String], event: Int64, log: StepLog) async throws -> [KojiModule] {
        let inTags = try await taggedModules(in: tags, event: event, log: log)
        var candidates: [String: [KojiModule]] = [:]
        var unresolved: [String] = []
        var resolved = Set<String>()
        for module in requested {
            let parts = module.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2 else { throw GeneratorError("\(module) is not in N:S[:V[:C]] format") }
            let ns = "\(parts[0]):\(parts[1])"
            unresolved.append(ns)
            let found = parts.count > 2 ? try await exactModules(module) : inTags.filter { $0.name == parts[0] }
            guard found.contains(where: { $0.nsvc.hasPrefix(ns + ":") }) else {
                throw GeneratorError("Module \(module) is not in the modular Koji tags \(tags.joined(separator: " ")).")
            }
            candidates[parts[0]] = found
        }
        var results: [String: KojiModule] = [:]
        while let ns = unresolved.popLast() {
            guard resolved.insert(ns).inserted else { continue }
            let name = String(ns.prefix { $0 != ":" })
            if candidates[name] == nil { candidates[name] = inTags.filter { $0.name == name } }
            for module in candidates[name]! where module.nsvc.hasPrefix(ns + ":") {
                results[module.nsvc] = module
                for requirement in try ModuleMetadata(yaml: module.modulemd).runtimeRequires {
                    for (dependency, streams) in requirement where dependency != "platform" {
                        for stream in streams where !resolved.contains("\(dependency):\(stream)") {
                            unresolved.append("\(dependency):\(stream)")
                        }
                    }
                }
            }
        }
        return results.keys.sorted().map { results[$0]! }
    }

    /// The RPMs and builds of all `modules` (each as `artifacts(ofModule:)`), every one once.
    func artifacts(
        of modules: [(nsvc: String, artifacts: Set<String>, contentTag: String)], event: Int64, log: StepLog
    ) async throws -> ([KojiRPM], [KojiBuild]) {
        var rpms: [KojiRPM] = []
        var builds: [KojiBuild] = []
        var seenRPMs = Set<Int64>()
        var seenBuilds = Set<Int64>()
        for module in modules {
            let (moduleRPMs, moduleBuilds) = try await artifacts(
                ofModule: module.nsvc, artifacts: module.artifacts, contentTag: module.contentTag, event: event, log: log)
            rpms += moduleRPMs.filter { seenRPMs.insert($0.id).inserted }
            builds += moduleBuilds.filter { seenBuilds.insert($0.id).inserted }
        }
        return (rpms, builds)
    }

    /// The module's RPMs in its content tag (every build tagged, not only the latest, without
    /// inheritance), limited to `artifacts` (its modulemds' `artifacts.rpms`) when there are any.
    func artifacts(
        ofModule nsvc: String, artifacts: Set<String>, contentTag tag: String, event: Int64, log: StepLog
    ) async throws -> ([KojiRPM], [KojiBuild]) {
        guard try await koji.getTag(tag) != nil else { throw GeneratorError("Unknown Koji tag \(tag).") }
        let (rpms, builds) = try await koji.listTaggedRPMS(tag, event: event, inherit: false, latest: false)
        guard !artifacts.isEmpty else {
            log.info("Module \(nsvc): no artifacts listed; all \(rpms.count) RPMs of \(tag)")
            return (rpms, builds)
        }
        let buildsByID = Dictionary(builds.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func nevra(_ rpm: KojiRPM) -> String {
            "\(rpm.name)-\(rpm.epoch ?? buildsByID[rpm.buildID]?.epoch ?? 0):\(rpm.version)-\(rpm.release).\(rpm.arch)"
        }
        let chosen = rpms.filter { artifacts.contains(nevra($0)) }
        let missing = artifacts.subtracting(chosen.map(nevra))
        if !missing.isEmpty { log.info("Module \(nsvc): artifacts not in \(tag): \(missing.sorted().joined(separator: " "))") }
        log.info("Module \(nsvc): \(chosen.count) of \(rpms.count) RPMs of \(tag) are its artifacts")
        let used = Set(chosen.map(\.buildID))
        return (chosen, builds.filter { used.contains($0.id) })
    }

    /// The per-arch modules of `modules` (Koji's `modulemd.<arch>.txt` archives, see
    /// `archModule`). A build without per-arch archives is skipped with a log line, as Pungi
    /// skips it, when `skipOld`; otherwise it fails the compose with a reason.
    func archModules(_ nsvcs: [String], arches: [String], skipOld: Bool, log: StepLog) async throws -> [ArchModule] {
        var result: [ArchModule] = []
        for nsvc in nsvcs {
            if let module = try await archModule(try await moduleBuild(nsvc), arches: arches) {
                result.append(module)
            } else if skipOld {
                log.info("Module \(nsvc) has no per-arch modulemd archives in Koji: skipped, as Pungi skips it")
            } else {
                throw GeneratorError(
                    "Module \(nsvc) has no per-arch modulemd archives (modulemd.<arch>.txt) in Koji; rebuild it to compose it.")
            }
        }
        return result
    }

    /// What the assembly adds for modules (`ComposeAssembler.addModules`): each arch's
    /// `modules.yaml` (that arch's modulemds and the defaults of those modules from the
    /// compose's `module_defaults_url`, in libmodulemd's order) and each module's uid, Koji tag
    /// and per-arch artifacts for modules.json.
    func modularMetadata(of modules: [ArchModule], compose: Compose, layout: ComposeLayout, log: StepLog) async throws -> ModularMetadata {
        func parts(_ nsvc: String) -> [String] { nsvc.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
        let names = Set(modules.map { parts($0.nsvc)[0] })
        let defaults = try await defaultsDocuments(of: compose, modules: names, layout: layout, log: log)
        var yaml: [String: String] = [:]
        for arch in Set(modules.flatMap(\.documents.keys)) {
            let streams = modules.compactMap { module -> ModulesYAML.Stream? in
                guard let text = module.documents[arch] else { return nil }
                let identity = parts(module.nsvc) + ["", "", "", ""]
                return .init(name: identity[0], stream: identity[1], version: Int64(identity[2]) ?? 0, context: identity[3], text: text)
            }
            yaml[arch] = ModulesYAML.text(streams: streams, defaults: defaults)
        }
        return ModularMetadata(
            modulesYAML: yaml, modules: modules.map { .init(nsvc: $0.nsvc, kojiTag: $0.kojiTag, artifacts: $0.artifacts) },
            defaults: defaults.count)
    }

    /// The `modulemd-defaults` documents for `modules` in the compose's module defaults
    /// repository (`module_defaults_url`, stored as `"<url> <commit>"`): the repository is
    /// cloned with git at that commit or branch, and every `*.yaml` file at its top is read, as
    /// Pungi's `module_defaults_dir` with `dir: "."`.
    func defaultsDocuments(
        of compose: Compose, modules: Set<String>, layout: ComposeLayout, log: StepLog
    ) async throws -> [(module: String, text: String)] {
        guard let value = compose.moduleDefaultsURL, !value.isEmpty else { return [] }
        let parts = value.split(separator: " ").map(String.init)
        guard parts.count == 2, !parts[0].hasPrefix("-"), !parts[1].hasPrefix("-") else {
            throw GeneratorError("module_defaults_url \(value) is not \"<url> <commit>\".")
        }
        let (url, commit) = (parts[0], parts[1])
        let checkout = layout.work.appending("global/module_defaults")
        let gitLog = layout.logs.appending("global/module_defaults.global.log")
        // Arguments only, never a shell; no prompt for credentials on a private URL.
        let environment = ["GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/true"]
        let timeout = configuration.gitTimeout
        do {
            try await ExternalCommand(
                ["git", "clone", "--quiet", "--no-checkout", "--", url, checkout.string], log: gitLog, timeout: timeout,
                environment: environment
            ).run()
            try await ExternalCommand(
                ["git", "-c", "advice.detachedHead=false", "checkout", "--quiet", commit, "--"], log: gitLog,
                timeout: timeout, workingDirectory: checkout, environment: environment
            ).run()
        } catch let error as RepoError {
            throw GeneratorError("Cannot check out the module defaults \(url) at \(commit): \(error.description)")
        }
        var documents: [(module: String, text: String)] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: checkout.string).filter { $0.hasSuffix(".yaml") }.sorted()
        for file in files {
            // A link in someone's repository could name any file of this machine: only regular files are read.
            let path = checkout.appending(file).string
            guard (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular,
                let text = try? String(contentsOfFile: path, encoding: .utf8)
            else { continue }
            documents += ModuleDefaults.documents(in: text, for: modules)
        }
        log.info("Module defaults from \(url) at \(commit): \(documents.count) documents for the compose's modules")
        return documents
    }
}
