import Foundation
import ODCSCore

/// Upstream's module resolution (`resolve_compose` for `module` with `mbs.py`): each requested
/// `N:S`, `N:S:V` or `N:S:V:C` becomes every context of its latest version in MBS, the
/// runtime requirements are added recursively unless `no_deps`, base modules are dropped, and
/// the compose's `source` becomes the sorted `N:S:V:C` list.
///
///     let resolver = ModuleResolver(mbs: client, baseModuleNames: ["platform", "bootstrap"])
///     let builds = try await resolver.resolve(compose)   // compose.source "moduleA:f26"
struct ModuleResolver: Sendable {
    /// The `base_module_br_*` query filters.
    struct BaseModuleFilter: Sendable, Equatable {
        var name: String?
        var stream: String?
        var streamVersionLte: String?
        var streamVersionGte: String?

        init(name: String? = nil, stream: String? = nil, streamVersionLte: String? = nil, streamVersionGte: String? = nil) {
            self.name = name
            self.stream = stream
            self.streamVersionLte = streamVersionLte
            self.streamVersionGte = streamVersionGte
        }

        init(_ compose: Compose) {
            // Upstream sends a request's stream versions only when they are not 0.
            self.init(
                name: compose.baseModuleBrName, stream: compose.baseModuleBrStream,
                streamVersionLte: compose.baseModuleBrStreamVersionLte.flatMap { $0 == 0 ? nil : String($0) },
                streamVersionGte: compose.baseModuleBrStreamVersionGte.flatMap { $0 == 0 ? nil : String($0) })
        }
    }

    var mbs: MBSClient
    var baseModuleNames: Set<String>

    /// The module builds of the compose, requirements included unless `no_deps`, base modules
    /// left out; sorted by NSVC.
    func resolve(_ compose: Compose) async throws -> [ModuleBuild] {
        let requested = compose.source.split(separator: " ").map(String.init)
        let includeDone = compose.flags.contains(.includeDoneModules)
        var specified: [ModuleBuild] = []
        for nsvc in requested {
            // A complete NSVC is taken in the done state too: the submitter asked for exactly it.
            let complete = nsvc.split(separator: ":", omittingEmptySubsequences: false).count == 4
            specified += try await latest(nsvc, includeDone: includeDone || complete, filter: BaseModuleFilter(compose))
        }
        let modules = try await validate(specified, expand: !compose.flags.contains(.noDeps))
        return modules.filter { !baseModuleNames.contains($0.name) }.sorted { $0.nsvc < $1.nsvc }
    }

    /// Upstream's `get_latest_modules`: every context of the newest version MBS has of `nsvc`
    /// in the ready state (or done too). A `-devel` module is found through its non-devel build.
    func latest(_ nsvc: String, includeDone: Bool, filter: BaseModuleFilter = .init()) async throws -> [ModuleBuild] {
        guard !nsvc.isEmpty else { return [] }
        var query: [(String, String)] = [("nsvc", nsvc)]
        query += (includeDone ? ["3", "5"] : ["5"]).map { ("state", $0) }
        query += [("verbose", "True"), ("order_desc_by", "version")]
        if let name = filter.name, !name.isEmpty { query.append(("base_module_br_name", name)) }
        if let stream = filter.stream, !stream.isEmpty { query.append(("base_module_br_stream", stream)) }
        if let lte = filter.streamVersionLte, !lte.isEmpty { query.append(("base_module_br_stream_version_lte", lte)) }
        if let gte = filter.streamVersionGte, !gte.isEmpty { query.append(("base_module_br_stream_version_gte", gte)) }

        var builds = try await mbs.moduleBuilds(query)
        var devel = false
        let name = nsvc.split(separator: ":", omittingEmptySubsequences: false)[0]
        if builds.isEmpty, name.hasSuffix("-devel") {
            query[0].1 = String(name.dropLast("-devel".count)) + nsvc.dropFirst(name.count)
            builds = try await mbs.moduleBuilds(query)
            devel = true
        }
        guard let newest = builds.first else {
            throw GeneratorError("Failed to find module \(nsvc) in \(includeDone ? "ready or done" : "ready") state in the MBS.")
        }
        var result: [ModuleBuild] = []
        for var build in builds {
            guard build.version == newest.version else { break }
            if devel {
                // The devel module always requires its non-devel module.
                build.develOf = build.stream
                build.name += "-devel"
            }
            result.append(build)
        }
        return result
    }

    /// Upstream's `validate_module_list`: drops exact duplicates, refuses two versions of one
    /// `name:stream`, and with `expand` adds the runtime requirements (latest builds whose base
    /// module stream version is within the requiring module's major version) until none is missing.
    func validate(_ modules: [ModuleBuild], expand: Bool) async throws -> [ModuleBuild] {
        var result: [ModuleBuild] = []
        var known: [String: [ModuleBuild]] = [:]
        for module in modules {
            let key = "\(module.name):\(module.stream)"
            guard let old = known[key], let first = old.first else {
                known[key] = [module]
                result.append(module)
                continue
            }
            if module.version != first.version {
                throw GeneratorError("\(module.nsvc) conflicts with \(first.nsvc)")
            }
            if old.contains(where: { $0.context == module.context }) { continue }
            known[key, default: []].append(module)
            result.append(module)
        }
        guard expand else { return result }
        var added = result
        var seen = Set(known.keys)
        while !added.isEmpty {
            added = try await newRequirements(of: added, seen: &seen)
            result += added
        }
        return result
    }

    /// The latest builds of the `name:stream`s `modules` require that are not in `seen` yet.
    func newRequirements(of modules: [ModuleBuild], seen: inout Set<String>) async throws -> [ModuleBuild] {
        var found: [ModuleBuild] = []
        for module in modules {
            var requires = try ModuleMetadata(yaml: module.modulemd).runtimeRequires
            if let stream = module.develOf { requires.append([String(module.name.dropLast("-devel".count)): [stream]]) }
            let bounds = Self.baseModuleBounds(module.baseModuleBuildrequires)
            for dependency in requires {
                for name in dependency.keys.sorted() where !baseModuleNames.contains(name) {
                    for stream in dependency[name] ?? [] {
                        let key = "\(name):\(stream)"
                        guard seen.insert(key).inserted else { continue }
                        found += try await latest(
                            key, includeDone: false, filter: BaseModuleFilter(streamVersionLte: bounds.lte, streamVersionGte: bounds.gte))
                    }
                }
            }
        }
        return found
    }

    /// The base module stream versions a requirement may have been built against: at most the
    /// requiring module's own, at least the first of its major version (`el8.3.0` built
    /// against 80300 → 80000 … 80300).
    static func baseModuleBounds(_ bases: [ModuleBuild.BaseModule]) -> (lte: String?, gte: String?) {
        var lte: String?
        var gte: String?
        for base in bases {
            lte = base.streamVersion
            guard let version = base.streamVersion, let number = Double(version) else { continue }
            let digits = base.stream.drop { !$0.isNumber }.prefix { $0.isNumber }
            guard !digits.isEmpty else { continue }
            let width = String(Int64(number)).count
            gte = String(digits) + String(repeating: "0", count: max(0, width - digits.count))
        }
        return (lte, gte)
    }
}
