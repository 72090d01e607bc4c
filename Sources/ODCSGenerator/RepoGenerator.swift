import AsyncHTTPClient
import Foundation
import Logging
import ODCSCore
import ODCSRepo
import SystemPackage

/// The `repo` source type: `compose.source` is a space-separated list of RPM repositories
/// (absolute local paths under one of `localRoots`, or http(s) URLs). The compose gets the
/// newest build of each requested package (of every package when none are requested) for its
/// arches plus noarch, with their dependency closure unless `no_deps` (`DependencyStep`:
/// lookaside repositories, multilib, check_deps), their debug packages and source RPMs, laid
/// out as a Pungi compose of the single variant `Temporary`:
///
///     compose/Temporary/<arch>/os/{Packages/<l>/…rpm, repodata}
///     compose/Temporary/<arch>/debug/tree/…     compose/Temporary/source/tree/…
///     compose/Temporary/odcs-<id>.repo          compose/metadata/{composeinfo,rpms}.json
///     COMPOSE_ID  STATUS  logs/…  work/…
///
/// Packages are hard-linked from local repositories when they share the volume's filesystem,
/// copied otherwise, downloaded (and checked) from URL repositories.
public struct RepoGenerator: ComposeGenerator {
    public struct Configuration: Sendable {
        /// Local repositories must be inside one of these directories (after resolving
        /// symlinks); a compose naming any other path fails. Empty refuses every local path.
        public var localRoots: [FilePath]
        /// Arches of a compose that names none (upstream's default is x86_64).
        public var defaultArches: [String]
        public var assembly: AssemblyOptions

        public init(localRoots: [FilePath], defaultArches: [String] = ["x86_64"], assembly: AssemblyOptions = .init()) {
            self.localRoots = localRoots
            self.defaultArches = defaultArches
            self.assembly = assembly
        }
    }

    public var configuration: Configuration
    public var httpClient: HTTPClient
    /// The clock of the compose date in the productmd id.
    public var now: @Sendable () -> Date

    public init(configuration: Configuration, httpClient: HTTPClient = .shared, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.now = now
    }

    /// Upstream sets `koji_event` to the repository's repomd.xml revision. With several
    /// repositories, or a revision that is not an integer, `koji_event` is left as it is.
    public func resolve(_ compose: Compose, logger: Logger) async throws -> Compose {
        let locations = try repositoryLocations(of: compose)
        guard locations.count == 1 else { return compose }
        let reader = RepositoryReader(
            httpClient: httpClient, workDirectory: FilePath(NSTemporaryDirectory()), timeout: configuration.assembly.metadataTimeout)
        let index: RepoMetadataIndex
        do {
            index = try await reader.index(of: locations[0])
        } catch let error as RepoError {
            throw GeneratorError(error.description)
        }
        var resolved = compose
        if let revision = index.revision, let event = Int64(revision) {
            resolved.kojiEvent = event
        }
        return resolved
    }

    public func generate(_ context: GenerationContext) async throws -> GenerationResult {
        let layout = try ComposeLayout(staging: context.staging, name: context.name, logName: "odcs-repo")
        return try await layout.run(context) { log in try await run(context, layout: layout, log: log) }
    }

    var assembler: ComposeAssembler { ComposeAssembler(configuration: configuration.assembly, httpClient: httpClient, now: now) }

    private func run(_ context: GenerationContext, layout: ComposeLayout, log: StepLog) async throws -> GenerationResult {
        try Task.checkCancellation()
        let compose = context.compose
        let locations = try repositoryLocations(of: compose)
        let arches = treeArches(of: compose, defaults: configuration.defaultArches)
        let names = (compose.packages ?? "").split(separator: " ").map(String.init)

        let step = DependencyStep(
            arches: arches, names: names, resolveDependencies: !compose.flags.contains(.noDeps), multilib: MultilibRequest(compose),
            lookaside: try lookasideLocations(of: compose), httpClient: httpClient, metadataTimeout: configuration.assembly.metadataTimeout)

        log.info("Reading \(locations.count) repositories: \(locations.map(\.description).joined(separator: " "))")
        let (repositories, metadata) = try await read(
            locations, keepingMetadata: step.needsHeaders, workDirectory: layout.work.appending("global/repos"))
        for repository in repositories {
            log.info("Repository \(repository.location): revision \(repository.revision ?? "none"), \(repository.packages.count) packages")
        }

        try Task.checkCancellation()
        let candidates = PackageSelection.candidates(of: repositories)
        let closure = try await step.run(candidates, headers: .metadata(metadata), layout: layout, log: log)
        let selection = PackageSelection(candidates: candidates, binaries: closure.binaries, names: names, arches: arches)
        guard selection.missing.isEmpty else {
            throw GeneratorError(
                "The following requested packages are not present in the generated compose: \(selection.missing.joined(separator: " ")).")
        }
        if compose.flags.contains(.checkDeps), let message = closure.unresolvedMessage { throw GeneratorError(message) }
        try checkLocalSources(of: selection)
        log.info("Selected \(selection.items.count) packages for arches \(arches.joined(separator: " "))")
        return try await assembler.assemble(selection, comps: .odcsGroup(packages: names), context: context, layout: layout, log: log)
    }
}
