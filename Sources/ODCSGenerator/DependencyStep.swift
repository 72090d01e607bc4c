import AsyncHTTPClient
import Foundation
import ODCSCore
import ODCSRepo
import ODCSSolve
import ODCSVolume
import SystemPackage

/// `multilib_arches` and `multilib_method` of a compose (reference §4): which compose arches
/// also get packages of their multilib arches (x86_64 → i686...), and by which methods.
struct MultilibRequest: Sendable {
    var arches: Set<String>
    var methods: Set<ODCSSolve.MultilibMethod>

    init(_ compose: Compose) {
        arches = Set((compose.multilibArches ?? "").split(separator: " ").map(String.init))
        let mask = compose.multilibMethod ?? 0
        var methods = Set<ODCSSolve.MultilibMethod>()
        if mask & 1 != 0 { methods.insert(.runtime) }
        if mask & 2 != 0 { methods.insert(.devel) }
        if mask & 4 != 0 { methods.insert(.all) }
        self.methods = methods
    }

    func isEnabled(for arch: String) -> Bool { arches.contains(arch) && !methods.isEmpty }

    /// The arches whose packages a multilib tree of `arch` may hold (Pungi's multilib arches).
    func extraArches(for arch: String) -> [String] {
        guard isEnabled(for: arch) else { return [] }
        return Self.multilibArches[arch] ?? []
    }

    static let multilibArches: [String: [String]] = [
        "x86_64": ["athlon", "i686", "i586", "i486", "i386"],
        "ppc64": ["ppc"],
        "s390x": ["s390"],
    ]
}

/// Pungi's GATHER for one compose: per arch, the binary packages of the os tree. With
/// `no_deps`, the newest package of each requested name; otherwise that plus its dependency
/// closure (and multilib packages) chosen by libsolv the way Pungi chooses (`ODCSSolve`),
/// with lookaside repositories satisfying dependencies without being copied.
struct DependencyStep: Sendable {
    /// Where the solver reads the candidates' headers from.
    enum Headers: Sendable {
        /// One local RPM file per candidate, read through the header cache when there is one. A
        /// candidate without a file (`RPMFiles.hasFile`) takes its header from the first of
        /// `metadata` (Koji's repository of the tag, per arch) that lists its NEVRA, and is left
        /// out of solving when none does; packages of `metadata` that are not candidates are
        /// left out too.
        case rpmFiles(RPMFiles, cache: HeaderSnapshots?, metadata: [RepositoryMetadata] = [])
        /// Per repository location, its uncompressed primary (and filelists) XML.
        case metadata([RepositoryLocation: (primary: FilePath, filelists: FilePath?)])
    }

    /// One repository's metadata for solving: its snapshot (read when it is there and whole,
    /// else written from the XML), its XML, or both.
    struct RepositoryMetadata: Sendable {
        var snapshot: FilePath?
        var primary: FilePath?
        var filelists: FilePath?
    }

    /// Where the candidates' RPM files are, resolved only when a header must be read (a warm
    /// compose reads none, and resolving 60,000 paths costs half a second).
    struct RPMFiles: Sendable {
        /// Per candidate, a file already on this machine (downloaded to read its header), or "".
        var local: [String] = []
        /// Whether a candidate without a local file is read from its repository's directory (a
        /// mounted Koji volume); otherwise its header comes from metadata, if any lists it.
        var othersFromRepository: Bool

        func hasFile(_ index: Int) -> Bool { othersFromRepository || (index < local.count && !local[index].isEmpty) }

        func path(_ index: Int, of candidate: PackageSelection.Candidate) throws(SolverError) -> String {
            if index < local.count, !local[index].isEmpty { return local[index] }
            let resolved: RepositoryLocation
            do {
                resolved = try candidate.repository.resolve(candidate.package.href)
            } catch {
                throw .unreadableRPM(path: candidate.package.href, reason: "\(error)")
            }
            guard case .directory(let path) = resolved else {
                throw .unreadableRPM(path: candidate.package.href, reason: "not a file on this machine")
            }
            return path.string
        }
    }

    struct Result: Sendable {
        var binaries: [String: [PackageSelection.Candidate]]
        /// `<package NEVRA> requires <dependency>` per arch.
        var unresolved: [String: [String]]

        /// check_deps' failure text, nil when everything resolved.
        var unresolvedMessage: String? {
            let lines = unresolved.keys.sorted().compactMap { arch -> String? in
                guard let missing = unresolved[arch], !missing.isEmpty else { return nil }
                return "Unresolvable dependencies in \(ComposeLayout.variant).\(arch): \(missing.joined(separator: "; "))"
            }
            return lines.isEmpty ? nil : lines.joined(separator: "\n")
        }
    }

    var arches: [String]
    var names: [String]
    var resolveDependencies: Bool
    var multilib: MultilibRequest
    var lookaside: [RepositoryLocation]
    var httpClient: HTTPClient
    var metadataTimeout: Duration

    /// Whether `run` reads package headers (to solve dependencies or judge multilib); without,
    /// the binaries are just the newest of each requested name.
    var needsHeaders: Bool { resolveDependencies || arches.contains(where: multilib.isEnabled(for:)) }

    func run(_ candidates: [PackageSelection.Candidate], headers: Headers, layout: ComposeLayout, log: StepLog) async throws -> Result {
        var binaries: [String: [PackageSelection.Candidate]] = [:]
        guard needsHeaders else {
            for arch in arches { binaries[arch] = PackageSelection.initial(candidates, names: names, arch: arch) }
            return Result(binaries: binaries, unresolved: [:])
        }
        let lookasideMetadata = try await readLookaside(layout: layout, log: log)
        var unresolved: [String: [String]] = [:]
        for arch in arches {
            try Task.checkCancellation()
            // Reading every candidate's header blocks on the volume: on BlockingIO's threads.
            let (chosen, missing) = try await BlockingIO.bulk.run {
                try solve(candidates, headers: headers, lookaside: lookasideMetadata, arch: arch, log: log)
            }
            binaries[arch] = chosen
            unresolved[arch] = missing
        }
        return Result(binaries: binaries, unresolved: unresolved)
    }

    private func solve(
        _ candidates: [PackageSelection.Candidate], headers: Headers, lookaside: [(primary: FilePath, filelists: FilePath?)],
        arch: String, log: StepLog
    ) throws -> ([PackageSelection.Candidate], [String]) {
        let started = ContinuousClock.now
        let treeArches = Set([arch, "noarch"] + multilib.extraArches(for: arch))
        let solver = DependencySolver(arch: arch, multilib: multilib.isEnabled(for: arch))
        let byKey: [String: PackageSelection.Candidate]
        let loaded: Int
        do {
            (byKey, loaded) = try load(candidates, headers: headers, lookaside: lookaside, into: solver, arches: treeArches, log: log)
        } catch {
            throw GeneratorError("Cannot read package headers for dependency solving: \(error.description)")
        }

        let initialCandidates = PackageSelection.initial(candidates, names: names, arch: arch)
        let initialNEVRAs = Set(initialCandidates.map(\.package.nevra))
        let solverKeyOf = Dictionary(
            byKey.filter { initialNEVRAs.contains($0.value.package.nevra) }.map {
                ($0.value.package.nevra + " " + $0.value.repository.description, $0.key)
            }, uniquingKeysWith: { a, _ in a })
        var initial: [SolverPackage] = []
        for candidate in initialCandidates {
            guard let solverKey = solverKeyOf[candidate.package.nevra + " " + candidate.repository.description] else { continue }
            let repository = Int(solverKey.prefix(while: { $0 != " " })) ?? 0
            let package = candidate.package
            initial.append(
                SolverPackage(
                    repository: repository, name: package.name, epoch: package.evr.epoch, version: package.evr.version,
                    release: package.evr.release, arch: package.arch, sourceRPM: package.sourceRPM))
        }
        var request = ClosureRequest(initial: initial, resolveDependencies: resolveDependencies)
        request.multilibMethods = multilib.isEnabled(for: arch) ? multilib.methods : []
        let result = solver.closure(request)
        let chosen = result.packages.compactMap { byKey[Self.key($0.repository, $0.nevra)] }
        let unresolved = result.unresolved.map {
            "\($0.package.name)-\($0.package.version)-\($0.package.release).\($0.package.arch) requires \($0.dependency)"
        }
        let elapsed = ContinuousClock.now - started
        log.info(
            "Dependency closure for \(arch): \(loaded) packages read, \(initial.count) requested, \(chosen.count) chosen, "
                + "\(result.fromLookaside.count) from lookaside, \(unresolved.count) unresolved (\(elapsed.formatted(.units(allowed: [.milliseconds]))))"
        )
        for line in unresolved { log.info("Unresolvable dependency: \(line)") }
        return (chosen, unresolved)
    }

    /// Candidates are keyed by (solver repository, NEVRA): repository 0 is the RPM files,
    /// 1... the metadata repositories in a fixed order, 1000... the lookaside repositories.
    static func key(_ repository: Int, _ nevra: String) -> String { "\(repository) \(nevra)" }

    private func load(
        _ candidates: [PackageSelection.Candidate], headers: Headers, lookaside: [(primary: FilePath, filelists: FilePath?)],
        into solver: DependencySolver, arches: Set<String>, log: StepLog
    ) throws(SolverError) -> ([String: PackageSelection.Candidate], Int) {
        var byKey: [String: PackageSelection.Candidate] = [:]
        var loaded = 0
        switch headers {
        case .rpmFiles(let files, let cache, let metadata):
            var unread: [String: Int] = [:]
            for index in candidates.indices where !files.hasFile(index) && arches.contains(candidates[index].package.arch) {
                unread[candidates[index].package.nevra] = index
            }
            for (offset, repository) in metadata.enumerated() where !unread.isEmpty {
                let id = offset + 1
                var found: [String: Int] = [:]
                func keep(_ nevra: String) -> Bool {
                    guard let index = unread.removeValue(forKey: nevra) else { return false }
                    found[nevra] = index
                    return true
                }
                let packages: [SolverPackage]
                if let snapshot = repository.snapshot {
                    packages = try solver.addCandidates(
                        repository: id, snapshot: snapshot.string, primaryXML: repository.primary?.string,
                        filelistsXML: repository.filelists?.string, keeping: keep)
                    CachePruner.touch(snapshot)
                } else if let primary = repository.primary {
                    packages = try solver.addCandidates(
                        repository: id, primaryXML: primary.string, filelistsXML: repository.filelists?.string, keeping: keep)
                } else {
                    continue
                }
                for package in packages { byKey[Self.key(id, package.nevra)] = found[package.nevra].map { candidates[$0] } }
                loaded += packages.count
            }
            let relevant = candidates.indices.filter { files.hasFile($0) && arches.contains(candidates[$0].package.arch) }
            // Paths only for the headers actually read: a warm compose reads none.
            func paths(skipping held: Set<String> = [], keys: [String] = []) throws(SolverError) -> [String] {
                var result: [String] = []
                result.reserveCapacity(relevant.count)
                for (offset, index) in relevant.enumerated() {
                    result.append(held.isEmpty || !held.contains(keys[offset]) ? try files.path(index, of: candidates[index]) : "")
                }
                return result
            }
            let packages: [SolverPackage]
            let keys = cache.map { cache in relevant.map { cache.keys[$0] } } ?? []
            if let cache, !relevant.isEmpty, let snapshot = cache.snapshot(for: keys) {
                let family = cache.family.map { "\($0) \(arches.sorted().joined(separator: " "))" }
                let name = snapshot.lastComponent?.string ?? ""
                if let hit = solver.addCandidates(repository: 0, snapshot: snapshot.string, count: relevant.count) {
                    packages = hit
                    CachePruner.touch(snapshot)
                    log.info("Header cache: 0 of \(relevant.count) RPM headers read (\(name))")
                } else if let family, let base = cache.base(of: family, for: keys), let delta = cache.snapshot(for: base.deltaKeys),
                    let result = try solver.addCandidates(
                        repository: 0, rpmFiles: paths(skipping: Set(base.keys), keys: keys), keys: keys, base: base.snapshot.string,
                        baseKeys: base.keys, delta: delta.string)
                {
                    packages = result.packages
                    cache.touch(base, of: family)
                    CachePruner.touch(delta)
                    log.info(
                        "Header cache: \(result.headersRead) of \(relevant.count) RPM headers read (\(base.snapshot.lastComponent?.string ?? "") "
                            + "for \(relevant.count - base.deltaKeys.count), \(delta.lastComponent?.string ?? "") for \(base.deltaKeys.count))"
                    )
                } else {
                    let read: Int
                    (packages, read) = try solver.addCandidates(repository: 0, rpmFiles: paths(), snapshot: snapshot.string)
                    if read > 0, let family { cache.recordBase(snapshot, keys: keys, of: family) }
                    log.info("Header cache: \(read) of \(relevant.count) RPM headers read (\(name))")
                }
            } else {
                packages = try solver.addCandidates(repository: 0, rpmFiles: paths())
            }
            for (package, index) in zip(packages, relevant) { byKey[Self.key(0, package.nevra)] = candidates[index] }
            loaded += packages.count
        case .metadata(let repositories):
            let locations = Array(Set(candidates.map(\.repository))).sorted { $0.description < $1.description }
            for (offset, location) in locations.enumerated() {
                guard let files = repositories[location] else { continue }
                let id = offset + 1
                let packages = try solver.addCandidates(
                    repository: id, primaryXML: files.primary.string, filelistsXML: files.filelists?.string)
                var own: [String: PackageSelection.Candidate] = [:]
                for candidate in candidates where candidate.repository == location { own[candidate.package.nevra] = candidate }
                for package in packages {
                    if let candidate = own[package.nevra] { byKey[Self.key(id, package.nevra)] = candidate }
                }
                loaded += packages.count
            }
        }
        for (offset, files) in lookaside.enumerated() {
            try solver.addLookaside(repository: 1000 + offset, primaryXML: files.primary.string, filelistsXML: files.filelists?.string)
        }
        return (byKey, loaded)
    }

    /// Lookaside repositories' primary and filelists, downloaded and decompressed into the
    /// compose's work directory.
    func readLookaside(layout: ComposeLayout, log: StepLog) async throws -> [(primary: FilePath, filelists: FilePath?)] {
        var result: [(primary: FilePath, filelists: FilePath?)] = []
        for (index, location) in lookaside.enumerated() {
            let reader = RepositoryReader(
                httpClient: httpClient, workDirectory: try layout.path("work/global/lookaside/\(index)"), timeout: metadataTimeout)
            let files = try await reader.metadataFiles(of: location)
            log.info("Lookaside repository \(location) read")
            result.append(files)
        }
        return result
    }
}

/// Where the solver's RPM headers are cached (docs/header-cache.md): one `.solv` snapshot per
/// set of candidate files, named after what makes their headers, so a name that exists holds
/// exactly what reading those files would give, and nothing ever invalidates it.
struct HeaderSnapshots: Sendable {
    /// `<target_dir>/.cache/headers` on the shared volume.
    var directory: FilePath
    /// The Koji hub the rpm ids are from (its URL).
    var hub: String
    /// Per candidate, in candidate order: Koji's rpm id and the path of the copy read, relative
    /// to Koji's top dir (a signed copy differs from the unsigned file in its signature header).
    var keys: [String]

    /// What the candidates are drawn from (e.g. `tag f45-build inherit`), nil for a set that
    /// has no successor (a `build` compose). A full snapshot of a family is recorded as its
    /// base, and a later set of the family (the tag at a newer event) reads only the headers
    /// the base lacks (`base(of:for:)`).
    var family: String? = nil

    /// Bumped when what a snapshot holds changes (the flags headers are read with).
    static let format = 2

    /// A later set reads the base and a delta while the delta holds at most this share of
    /// it; past that a full snapshot is read and becomes the family's base.
    static let deltaShare = 0.25

    /// The family's base snapshot, its keys and the keys of `keys` it lacks, when it exists,
    /// is readable and lacks at most `deltaShare` of `keys`. Blocks on the volume.
    func base(of family: String, for keys: [String]) -> (snapshot: FilePath, keys: [String], deltaKeys: [String])? {
        guard let pointer = basePointer(of: family), let name = try? String(contentsOfFile: pointer.string, encoding: .utf8),
            let root = try? ConfinedPath(root: directory),
            let snapshot = try? root.appending(components: name.split(separator: "/").map(String.init)),
            let text = try? String(contentsOfFile: snapshot.path.string + ".keys", encoding: .utf8)
        else { return nil }
        let baseKeys = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let held = Set(baseKeys)
        let deltaKeys = keys.filter { !held.contains($0) }
        guard Double(deltaKeys.count) <= Self.deltaShare * Double(keys.count) else { return nil }
        return (snapshot.path, baseKeys, deltaKeys)
    }

    /// Marks a base used (`CachePruner`): its snapshot, keys and the family's pointer.
    func touch(_ base: (snapshot: FilePath, keys: [String], deltaKeys: [String]), of family: String) {
        CachePruner.touch(base.snapshot)
        CachePruner.touch(FilePath(base.snapshot.string + ".keys"))
        if let pointer = basePointer(of: family) { CachePruner.touch(pointer) }
    }

    /// `<directory>/<2 hex>/<sha256>.solv` for the whole metadata of Koji's repository `repo`
    /// of the hub, one arch directory (`DependencySolver.addCandidates(…snapshot:…)`); nil
    /// when the directory cannot be made.
    static func repositorySnapshot(in directory: FilePath, hub: String, repo: Int64, arch: String) -> FilePath? {
        HeaderSnapshots(directory: directory, hub: hub, keys: []).snapshot(for: ["koji-repo \(repo) \(arch)"])
    }

    /// Records a full snapshot as the family's base: its keys beside it (`<snapshot>.keys`),
    /// then the family's pointer (`bases/<sha256 of the family>`) to it. Best effort, like the
    /// snapshot itself. Blocks on the volume.
    func recordBase(_ snapshot: FilePath, keys: [String], of family: String) {
        guard !keys.contains(where: { $0.contains("\n") }), let pointer = basePointer(of: family),
            let name = snapshot.string.hasPrefix(directory.string + "/")
                ? String(snapshot.string.dropFirst(directory.string.count + 1)) : nil,
            CacheFile.write(keys.map { $0 + "\n" }.joined(), to: FilePath(snapshot.string + ".keys"))
        else { return }
        CacheFile.write(name, to: pointer)
    }

    private func basePointer(of family: String) -> FilePath? {
        try? CacheFile.path(in: directory, hashing: ["odcs-headers-base \(Self.format)", "hub \(hub)", family], subdirectory: "bases").path
    }

    /// `<directory>/<2 hex>/<sha256>.solv` for the candidates with these keys, in this order;
    /// nil (no cache) if the directory cannot be made.
    func snapshot(for keys: [String]) -> FilePath? {
        let header = ["odcs-headers \(Self.format)", "libsolv \(DependencySolver.libsolvVersion)", "hub \(hub)"]
        guard let path = try? CacheFile.path(in: directory, hashing: header + keys, suffix: ".solv") else { return nil }
        do {
            try FileManager.default.createDirectory(
                atPath: path.path.removingLastComponent().string, withIntermediateDirectories: true)
        } catch {
            return nil
        }
        return path.path
    }
}
