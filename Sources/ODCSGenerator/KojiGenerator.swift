import AsyncHTTPClient
import Foundation
import Logging
import ODCSCore
import ODCSKoji
import ODCSRepo
import SystemPackage

/// The `tag`, `build` and `pungi_compose` source types, natively: the package set from Koji
/// over XML-RPC (`listTaggedRPMS` at the compose's event, or the listed builds), files from
/// the Koji volume (`koji_topdir`, hard-linked) or its web root (`koji_topurl`, downloaded),
/// signed copies in `sigkeys` order, dependencies closed with libsolv unless `no_deps`, and
/// the tree Pungi would write (see `ComposeAssembler`).
///
/// `pungi_compose` is resolved to the builds, packages, sigkeys and arches of an existing
/// compose's `metadata/rpms.json`, then generated as `build`.
public struct KojiGenerator: ComposeGenerator {
    public struct Configuration: Sendable {
        /// The mounted Koji volume (Koji's `topdir`, e.g. `/mnt/koji`); nil to download.
        public var topdir: FilePath?
        /// Koji's web root for files (`topurl`, e.g. `https://kojipkgs.example.com`), used when
        /// `topdir` is not set.
        public var topurl: String?
        /// Arches of a compose that names none.
        public var defaultArches: [String]
        public var assembly: AssemblyOptions
        /// For cloning a module defaults repository (`module_defaults_url`).
        public var gitTimeout: Duration

        public init(
            topdir: FilePath?, topurl: String?, defaultArches: [String] = ["x86_64"], assembly: AssemblyOptions = .init(),
            gitTimeout: Duration = .seconds(600)
        ) {
            self.topdir = topdir
            self.topurl = topurl
            self.defaultArches = defaultArches
            self.assembly = assembly
            self.gitTimeout = gitTimeout
        }
    }

    public var configuration: Configuration
    public var koji: KojiClient
    public var eventCache: (any KojiEventCache)?
    public var httpClient: HTTPClient
    public var now: @Sendable () -> Date

    public init(
        configuration: Configuration, koji: KojiClient, eventCache: (any KojiEventCache)? = nil, httpClient: HTTPClient = .shared,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.koji = koji
        self.eventCache = eventCache
        self.httpClient = httpClient
        self.now = now
    }

    var assembler: ComposeAssembler { ComposeAssembler(configuration: configuration.assembly, httpClient: httpClient, now: now) }

    // MARK: resolve and reuse

    /// tag: the event to build at, unless the request pinned one: the cached event of the tag
    /// when Koji says nothing changed since, else Koji's last event (upstream's
    /// `resolve_compose`). pungi_compose: the other compose's package set.
    public func resolve(_ compose: Compose, logger: Logger) async throws -> Compose {
        switch compose.sourceType {
        case .tag:
            guard compose.kojiEvent == nil else { return compose }
            var resolved = compose
            resolved.kojiEvent = try await withKoji {
                try await resolveEvent(tag: compose.source, modularTags: modularTags(of: compose), logger: logger)
            }
            return resolved
        case .pungiCompose:
            return try await resolvePungiCompose(compose)
        default:
            return compose
        }
    }

    /// The event is cached per tag; a cached event is kept only while neither the tag nor
    /// the compose's modular tags (with their inheritance) changed since.
    func resolveEvent(tag: String, modularTags: [String] = [], logger: Logger) async throws -> Int64 {
        let ids = try await watchedTagIDs(tag, modularTags: modularTags)
        if let cache = eventCache, let cached = try? await cache.lastEvent(tag: tag),
            try await !koji.tagChangedSinceEvent(cached, tagIDs: ids)
        {
            logger.debug("Koji tag unchanged since the cached event", metadata: ["tag": "\(tag)", "event": "\(cached)"])
            return cached
        }
        let event = try await koji.getLastEvent().id
        do {
            try await eventCache?.record(tag: tag, event: event)
        } catch {
            logger.warning("Cannot record the Koji event of a tag", metadata: ["tag": "\(tag)", "error": "\(error)"])
        }
        return event
    }

    /// The tag's id and those of every tag it inherits from (upstream's `koji_get_inherited_tags`).
    func tagAndInheritedIDs(_ tag: String) async throws -> [Int64] {
        guard let info = try await koji.getTag(tag) else { throw GeneratorError("Unknown Koji tag \(tag).") }
        let inherited = try await koji.getFullInheritance(info.id)
        var ids = [info.id]
        for link in inherited where !ids.contains(link.parentID) { ids.append(link.parentID) }
        return ids
    }

    /// The tags whose changes matter to a tag compose: the tag and the modular tags, each with
    /// its inheritance, every id once.
    func watchedTagIDs(_ tag: String, modularTags: [String]) async throws -> [Int64] {
        var ids = try await tagAndInheritedIDs(tag)
        for modularTag in modularTags { ids += try await tagAndInheritedIDs(modularTag).filter { !ids.contains($0) } }
        return ids
    }

    /// Reuse of a tag compose needs the tag and its parents unchanged since the candidate's event.
    public func isReusable(_ candidate: Compose, for compose: Compose, logger: Logger) async throws -> Bool {
        guard compose.sourceType == .tag else { return true }
        guard let event = candidate.kojiEvent else { return false }
        return try await withKoji {
            let ids = try await watchedTagIDs(compose.source, modularTags: modularTags(of: compose))
            return try await !koji.tagChangedSinceEvent(event, tagIDs: ids)
        }
    }

    func modularTags(of compose: Compose) -> [String] {
        (compose.modularKojiTags ?? "").split(separator: " ").map(String.init)
    }

    /// Koji's errors, as a reason a user can act on.
    func withKoji<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as KojiError {
            switch error {
            case .fault(_, let message): throw GeneratorError("Koji error: \(message)")
            default: throw GeneratorError("\(error)")
            }
        }
    }

    // MARK: generate

    public func generate(_ context: GenerationContext) async throws -> GenerationResult {
        let layout = try ComposeLayout(staging: context.staging, name: context.name, logName: "odcs-koji")
        return try await layout.run(context) { log in try await withKoji { try await run(context, layout: layout, log: log) } }
    }

    private func run(_ context: GenerationContext, layout: ComposeLayout, log: StepLog) async throws -> GenerationResult {
        let compose = context.compose
        let arches = treeArches(of: compose, defaults: configuration.defaultArches)
        let names = (compose.packages ?? "").split(separator: " ").map(String.init)
        let sigkeys = SigkeyPreference(compose.sigkeys)
        let multilib = MultilibRequest(compose)

        let listingCache = context.kojiListingCache.map { KojiListingCache(directory: $0, hub: koji.configuration.url) }
        var (rpms, builds) = try await packageSet(of: compose, layout: layout, log: log, cache: listingCache)
        let modules = try await modularContent(of: compose, arches: arches, log: log)
        let modularRPMs = Set(modules.rpms.map(\.id))
        var seenRPMs = Set(rpms.map(\.id))
        var seenBuilds = Set(builds.map(\.id))
        rpms += modules.rpms.filter { seenRPMs.insert($0.id).inserted }
        builds += modules.builds.filter { seenBuilds.insert($0.id).inserted }
        try Task.checkCancellation()
        let wantedArches = Set(arches + ["noarch", "src", "nosrc"] + arches.flatMap { multilib.extraArches(for: $0) })
        var pool = try await candidates(
            rpms: rpms.filter { wantedArches.contains($0.arch) }, builds: builds, sigkeys: sigkeys, layout: layout, log: log)
        log.info("Package set: \(pool.count) RPMs of \(builds.count) builds for arches \(wantedArches.sorted().joined(separator: " "))")

        let step = DependencyStep(
            arches: arches, names: names, resolveDependencies: !compose.flags.contains(.noDeps), multilib: multilib,
            lookaside: try lookasideLocations(of: compose), httpClient: httpClient, metadataTimeout: configuration.assembly.metadataTimeout)
        let sources =
            step.needsHeaders
            ? try await headerSources(
                of: &pool, compose: compose, arches: arches + arches.flatMap { multilib.extraArches(for: $0) }, layout: layout, log: log,
                context: context) : (files: .init(othersFromRepository: true), metadata: [])
        let cache = context.headerCache.map { directory in
            HeaderSnapshots(
                directory: directory, hub: koji.configuration.url, keys: pool.map { "\($0.rpm.id) \($0.candidate.package.href)" },
                family: compose.sourceType == .tag
                    ? "tag \(compose.source)\(compose.flags.contains(.noInheritance) ? "" : " inherit")" : nil)
        }
        let closure = try await step.run(
            pool.map(\.candidate), headers: .rpmFiles(sources.files, cache: cache, metadata: sources.metadata), layout: layout, log: log)
        try Task.checkCancellation()

        // Pungi's hybrid gather: every artifact of the modules' modulemd of the arch, besides what the tag gave.
        var binaries = closure.binaries
        for arch in arches where !modularRPMs.isEmpty {
            var chosen = Set((binaries[arch] ?? []).map(\.package.nevra))
            let archArtifacts = Set(modules.modules.flatMap { $0.artifacts[arch] ?? [] })
            for entry in pool where modularRPMs.contains(entry.rpm.id) {
                let package = entry.candidate.package
                guard !package.isSource, !package.isDebug, archArtifacts.contains(package.nevra), chosen.insert(package.nevra).inserted
                else { continue }
                binaries[arch, default: []].append(entry.candidate)
            }
        }
        let selection = PackageSelection(candidates: pool.map(\.candidate), binaries: binaries, names: names, arches: arches)
        try checkSignatures(selection, pool: pool, sigkeys: sigkeys, arches: arches)
        guard selection.missing.isEmpty else {
            throw GeneratorError(
                "The following requested packages are not present in the generated compose: \(selection.missing.joined(separator: " ")).")
        }
        if compose.flags.contains(.checkDeps), let message = closure.unresolvedMessage {
            throw GeneratorError(message)
        }
        log.info("Selected \(selection.items.count) packages for arches \(arches.joined(separator: " "))")
        let modular =
            modules.modules.isEmpty
            ? nil
            : try await modularMetadata(of: modules.modules, compose: compose, layout: layout, log: log)
        return try await assembler.assemble(
            selection, comps: .odcsGroup(packages: names), modular: modular, context: context, layout: layout, log: log)
    }

    /// A tag compose's `modular_koji_tags`: the modules tagged there at the compose's event,
    /// with their modulemd per arch (a build without per-arch modulemd is skipped, as Pungi
    /// skips it), and their RPM artifacts.
    func modularContent(
        of compose: Compose, arches: [String], log: StepLog
    ) async throws -> (modules: [ArchModule], rpms: [KojiRPM], builds: [KojiBuild]) {
        let tags = modularTags(of: compose)
        guard compose.sourceType == .tag, !tags.isEmpty else { return ([], [], []) }
        guard let event = compose.kojiEvent else { throw GeneratorError("The compose has no Koji event.") }
        let tagged = try await taggedModules(in: tags, event: event, log: log)
        let modules = try await archModules(tagged.map(\.nsvc), arches: arches, skipOld: true, log: log)
        let (rpms, builds) = try await artifacts(of: modules.map { ($0.nsvc, $0.allArtifacts, $0.kojiTag) }, event: event, log: log)
        return (modules, rpms, builds)
    }

    func lookasideLocations(of compose: Compose) throws -> [RepositoryLocation] {
        try (compose.lookasideRepos ?? "").split(separator: " ").map { text in
            guard let location = RepositoryLocation(String(text)), case .url = location else {
                throw GeneratorError("Lookaside repository \(text) is not an http(s) URL.")
            }
            return location
        }
    }

    /// A selected package with no copy signed by an allowed key fails the compose with Pungi's
    /// message, naming the builds.
    func checkSignatures(_ selection: PackageSelection, pool: [KojiCandidate], sigkeys: SigkeyPreference, arches: [String]) throws {
        let unsigned = Dictionary(
            pool.filter { !$0.hasAllowedCopy }.map { ($0.candidate.package.nevra, $0.buildNVR) }, uniquingKeysWith: { a, _ in a })
        guard !unsigned.isEmpty else { return }
        for arch in arches {
            let builds = Set(
                selection.items.filter { $0.tree == .os(arch: arch) || $0.tree == .debug(arch: arch) }.compactMap {
                    unsigned[$0.package.nevra]
                })
            guard builds.isEmpty else {
                throw GeneratorError(
                    "Error in gathering for \(ComposeLayout.variant).\(arch): RPM(s) not found for sigs: \(sigkeys.pythonTuple). "
                        + "Check log for details. Unsigned packages:\n\(builds.sorted().joined(separator: "\n"))")
            }
        }
        let sources = Set(selection.items.filter { $0.tree == .source }.compactMap { unsigned[$0.package.nevra] })
        if !sources.isEmpty {
            throw GeneratorError(
                "Error in gathering for \(ComposeLayout.variant).src: RPM(s) not found for sigs: \(sigkeys.pythonTuple). "
                    + "Check log for details. Unsigned packages:\n\(sources.sorted().joined(separator: "\n"))")
        }
    }
}
