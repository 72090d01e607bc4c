import AsyncHTTPClient
import Foundation
import Logging
import ODCSCore
import ODCSKoji
import ODCSRepo
import SystemPackage

/// The `module` source type, natively. `resolve` asks the Module Build Service for the
/// modules (upstream's `resolve_compose`, see `ModuleResolver`), so that reuse compares the
/// resolved `N:S:V:C` list. `generate` takes each module's RPM artifacts from its Koji tag
/// (what Pungi's `gather_source = "module"` with `gather_method = "nodeps"` does), builds the
/// usual tree (see `ComposeAssembler`), and adds the modular metadata — the modules' modulemd
/// documents and their defaults from `module_defaults_url` — to every os repository as
/// `modules.yaml` (`modifyrepo_c --mdtype=modules`).
public struct ModuleGenerator: ComposeGenerator {
    public struct Configuration: Sendable {
        /// The Module Build Service (`mbs_url`, e.g. `https://mbs.example.com/module-build-service`);
        /// nil when only module composes with `modular_koji_tags` (which ask Koji) can be made.
        public var mbsURL: String?
        /// Modules never composed nor followed as requirements (`base_module_names`).
        public var baseModuleNames: Set<String>
        /// For one MBS request.
        public var mbsTimeout: Duration

        public init(mbsURL: String?, baseModuleNames: Set<String> = ["platform", "bootstrap"], mbsTimeout: Duration = .seconds(120)) {
            self.mbsURL = mbsURL
            self.baseModuleNames = baseModuleNames
            self.mbsTimeout = mbsTimeout
        }
    }

    public var configuration: Configuration
    /// Koji access, file selection and assembly are the tag generator's.
    public var koji: KojiGenerator

    public init(configuration: Configuration, koji: KojiGenerator) {
        self.configuration = configuration
        self.koji = koji
    }

    var resolver: ModuleResolver {
        get throws {
            guard let url = configuration.mbsURL else {
                throw GeneratorError("Module composes without modular_koji_tags need the Module Build Service: mbs_url is not configured.")
            }
            return ModuleResolver(
                mbs: MBSClient(url: url, httpClient: koji.httpClient, timeout: configuration.mbsTimeout),
                baseModuleNames: configuration.baseModuleNames)
        }
    }

    /// The sorted `N:S:V:C` list, requirements included unless `no_deps`. A compose of only
    /// scratch modules (`source` "") keeps its empty source.
    /// With `modular_koji_tags`, the modules come from those Koji tags at Koji's last event
    /// instead (`KojiGenerator.depsolveModules`), requirements always included.
    public func resolve(_ compose: Compose, logger: Logger) async throws -> Compose {
        let tags = koji.modularTags(of: compose)
        if !tags.isEmpty {
            var resolved = compose
            resolved.source = try await koji.withKoji {
                let event = try await koji.koji.getLastEvent().id
                let requested = compose.source.split(separator: " ").map(String.init)
                return try await koji.depsolveModules(requested, tags: tags, event: event, log: StepLog(logger: logger))
                    .map(\.nsvc).joined(separator: " ")
            }
            return resolved
        }
        var resolved = compose
        resolved.source = try await resolver.resolve(compose).map(\.nsvc).joined(separator: " ")
        return resolved
    }

    public func generate(_ context: GenerationContext) async throws -> GenerationResult {
        let layout = try ComposeLayout(staging: context.staging, name: context.name, logName: "odcs-module")
        return try await layout.run(context) { log in try await koji.withKoji { try await run(context, layout: layout, log: log) } }
    }

    private func run(_ context: GenerationContext, layout: ComposeLayout, log: StepLog) async throws -> GenerationResult {
        let compose = context.compose
        guard (compose.packages ?? "").isEmpty else { throw GeneratorError("Exact packages cannot be set for MODULE source type.") }
        let arches = treeArches(of: compose, defaults: koji.configuration.defaultArches)
        let modules = try await archModules(of: compose, arches: arches, log: log)
        guard !modules.isEmpty else { throw GeneratorError("No modules to compose.") }

        let event = try await koji.koji.getLastEvent()
        try layout.write("{\"id\": \(event.id), \"ts\": \(event.timestamp)}\n", to: layout.work.appending("global/koji-event"))
        let (rpms, builds) = try await koji.artifacts(of: modules.map { ($0.nsvc, $0.allArtifacts, $0.kojiTag) }, event: event.id, log: log)
        try Task.checkCancellation()

        let sigkeys = SigkeyPreference(compose.sigkeys)
        let pool = try await koji.candidates(rpms: rpms, builds: builds, sigkeys: sigkeys, layout: layout, log: log)
        let candidates = pool.map(\.candidate)
        // nodeps: each arch's tree holds exactly what the modules' modulemds of that arch list
        // (multilib artifacts such as i686 packages in x86_64's included).
        var binaries: [String: [PackageSelection.Candidate]] = [:]
        for arch in arches {
            let listed = Set(modules.flatMap { $0.artifacts[arch] ?? [] })
            binaries[arch] = candidates.filter { !$0.package.isSource && !$0.package.isDebug && listed.contains($0.package.nevra) }
        }
        let selection = PackageSelection(candidates: candidates, binaries: binaries, names: [], arches: arches)
        try koji.checkSignatures(selection, pool: pool, sigkeys: sigkeys, arches: arches)
        log.info("Selected \(selection.items.count) packages of \(modules.count) modules for arches \(arches.joined(separator: " "))")

        let modular = try await koji.modularMetadata(of: modules, compose: compose, layout: layout, log: log)
        return try await koji.assembler.assemble(selection, comps: nil, modular: modular, context: context, layout: layout, log: log)
    }

    /// The compose's modules with their modulemd per arch, as Pungi reads them: each module of
    /// `source` from its Koji build's `modulemd.<arch>.txt` archives (a build without them
    /// fails the compose, see `docs/compatibility.md`), each of `scratch_modules` from MBS's
    /// `final-modulemd` (Pungi's `pkgset_scratch_modules`; only `test` composes take them).
    func archModules(of compose: Compose, arches: [String], log: StepLog) async throws -> [ArchModule] {
        let nsvcs = compose.source.split(separator: " ").map(String.init)
        var modules = try await koji.archModules(nsvcs, arches: arches, skipOld: false, log: log)
        let scratch = (compose.scratchModules ?? "").split(separator: " ").map(String.init)
        if !scratch.isEmpty && (compose.composeType ?? "test") != "test" {
            log.info("Only test composes could include scratch module builds: \(scratch.joined(separator: " ")) left out, as Pungi does")
        } else {
            for nsvc in scratch where !modules.contains(where: { $0.nsvc == nsvc }) {
                guard let build = try await resolver.latest(nsvc, includeDone: true).first(where: { $0.nsvc == nsvc }) else { continue }
                guard let tag = build.kojiTag, !tag.isEmpty else { throw GeneratorError("Module \(nsvc) has no Koji tag in the MBS.") }
                guard let id = build.id else { throw GeneratorError("MBS returned the module build \(nsvc) without an id.") }
                let final = try await resolver.mbs.finalModulemd(id: id)
                let documents = final.filter { arches.contains($0.key) }
                guard !documents.isEmpty else { continue }
                modules.append(try ArchModule(nsvc: nsvc, kojiTag: tag, documents: documents))
            }
        }
        log.info("Modules: \(modules.map(\.nsvc).joined(separator: " "))")
        return modules
    }
}
