import CLibsolv

/// Computes the package set of one compose arch the way Pungi 4.3.6's `gather_method = "deps"` does
/// (`pungi/gather_dnf.py` with `greedy_method = "build"`, multilib per `pungi/multilib_dnf.py`), over a
/// libsolv pool.
///
/// Usage: create one solver per compose arch, add the candidate repositories (the tag's packages) and any
/// lookaside repositories, then call ``closure(_:)`` once or more:
///
/// ```swift
/// let solver = DependencySolver(arch: "x86_64", multilib: false)
/// let tag = try solver.addCandidates(repository: 1, rpmFiles: paths)
/// let result = solver.closure(ClosureRequest(initial: wanted(tag), resolveDependencies: true))
/// ```
///
/// Like Pungi it is not a full solver: it never weighs conflicts, obsoletes or alternative versions; it
/// follows requirements of chosen packages to a fixed point, choosing providers by Pungi's rules
/// (``GatherUniverse``, ``GatherRun``, `GatherRun.bestPackages`, ``MultilibPolicy``).
///
/// Where this deliberately differs from Pungi 4.3.6:
/// - Initial packages are taken as the caller picked them (even an older build); only the lookaside
///   rule of `_get_best_package` is applied to them. Source and debuginfo packages are rejected, not
///   routed to debuginfo handling: the caller adds SRPMs and debuginfo.
/// - Python set order (result walk, ties between identical NEVRAs in two candidate repositories) becomes
///   solvable id order, i.e. load order, so results are deterministic.
/// - Only the binary package set is computed: no comps conditional packages, fulltree, langpacks,
///   prepopulate or exclude patterns (ODCS uses none of them for tag composes).
/// - `rpmlib(...)` requirements are skipped; createrepo leaves them out of the metadata Pungi reads.
/// - `is_from_lookaside` compares the epoch too (Pungi compares name, version, release and arch).
/// - Rich dependencies are answered by libsolv's `whatprovides`, which may differ from hawkey for
///   `if`/`unless` forms; plain, versioned and file requirements behave as in hawkey.
/// - The runtime multilib method sees the whole file list of RPM headers, but only primary.xml's file
///   subset when a repository is loaded without filelists.xml (DNF 4 always loads filelists).
///
/// Not Sendable: one solver per compose arch, used from one task.
public final class DependencySolver {
    private let pool: SolvablePool
    private let family: ArchitectureFamily
    private var solvablesByKey: [PackageKey: Id] = [:]

    private struct PackageKey: Hashable {
        let repository: Int
        let nevra: String
    }

    /// - Parameters:
    ///   - arch: the compose arch (x86_64, aarch64, ppc64le, s390x, i686, …), as Pungi's `--arch`.
    ///   - multilib: whether the pool also accepts the arch's multilib arches (x86_64: athlon, i686, i586,
    ///     i486, i386; ppc64: ppc; s390x: s390). Pungi's package set holds them only when multilib is
    ///     configured for the arch. noarch is always accepted.
    public init(arch: String, multilib: Bool) {
        family = ArchitectureFamily(composeArch: arch)
        pool = SolvablePool(acceptedArches: multilib ? family.all : family.native)
    }

    /// Candidate packages read from RPM files (headers only; the whole file list is kept).
    /// - Returns: one package per file, in file order.
    /// - Throws: ``SolverError/unreadableRPM(path:reason:)`` naming the first bad file; none of the
    ///   call's files are then added.
    @discardableResult
    public func addCandidates(repository: Int, rpmFiles: [String]) throws(SolverError) -> [SolverPackage] {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: false)
        return register(try pool.addRPMFiles(rpmFiles, origin: origin, label: "candidate-\(repository)"))
    }

    /// Candidate packages read from RPM files through a snapshot (`.solv`) of their headers:
    /// read from `snapshot` when it holds as many packages as there are files, else from the
    /// files and then written to `snapshot`. The caller names the snapshot after what makes the
    /// headers (the files' identities, in order), so a hit gives what the files would give.
    /// - Returns: one package per file, in file order, and how many RPM headers were read (0 on a hit).
    @discardableResult
    public func addCandidates(repository: Int, rpmFiles: [String], snapshot: String) throws(SolverError)
        -> (packages: [SolverPackage], headersRead: Int)
    {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: false)
        let (ids, read) = try pool.addRPMFiles(rpmFiles, snapshot: snapshot, origin: origin, label: "candidate-\(repository)")
        return (register(ids), read)
    }

    /// The NEVRAs a repository's primary.xml lists, in its order (source packages included).
    public static func packageNEVRAs(primaryXML: String) throws(SolverError) -> [String] {
        let pool = SolvablePool(acceptedArches: [])
        let origin = SolvablePool.Origin(repository: 0, isLookaside: false)
        return try pool.addMetadata(primary: primaryXML, filelists: nil, origin: origin, label: "scan").map { pool.package($0).nevra }
    }

    /// The NEVRAs a repository snapshot (`addCandidates(…snapshot:…)`) holds; nil when it is
    /// missing or damaged (a damaged one is removed).
    public static func packageNEVRAs(snapshot: String) -> [String]? {
        let pool = SolvablePool(acceptedArches: [])
        let origin = SolvablePool.Origin(repository: 0, isLookaside: false)
        return pool.addSnapshot(snapshot, expected: nil, origin: origin, label: "scan")?.map { pool.package($0).nevra }
    }

    /// Candidate packages from a repository's metadata through a snapshot of the whole
    /// repository: read from `snapshot` when it is there and whole, else from the XML (when
    /// given) and written to `snapshot` for the next time. Only the packages `keeping`
    /// accepts take part in solving, as in `addCandidates(repository:primaryXML:filelistsXML:keeping:)`.
    /// A repository's metadata never changes under one name (Koji's repo id), so neither does
    /// its snapshot.
    /// - Throws: ``SolverError/unreadableMetadata(path:reason:)`` when neither can be read.
    @discardableResult
    public func addCandidates(
        repository: Int, snapshot: String, primaryXML: String?, filelistsXML: String?, keeping: (_ nevra: String) -> Bool
    ) throws(SolverError) -> [SolverPackage] {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: false)
        let label = "candidate-\(repository)"
        var ids = pool.addSnapshot(snapshot, expected: nil, origin: origin, label: label)
        if ids == nil {
            guard let primaryXML else { throw .unreadableMetadata(path: snapshot, reason: "the snapshot is gone and no metadata was read") }
            let read = try pool.addMetadata(primary: primaryXML, filelists: filelistsXML, origin: origin, label: label)
            if let first = read.first, let repo = pool.solvable(first).pointee.repo { pool.writeSnapshot(repo, to: snapshot) }
            ids = read
        }
        var kept: [Id] = []
        var refused: [Id] = []
        for id in ids ?? [] {
            if keeping(pool.package(id).nevra) { kept.append(id) } else { refused.append(id) }
        }
        pool.exclude(refused)
        return register(kept)
    }

    /// Candidate packages from a snapshot alone, when it exists and holds `count` packages
    /// (the files it was written for); nil otherwise, with nothing added.
    public func addCandidates(repository: Int, snapshot: String, count: Int) -> [SolverPackage]? {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: false)
        return pool.addSnapshot(snapshot, expected: count, origin: origin, label: "candidate-\(repository)").map(register)
    }

    /// Candidate packages read from RPM files through a snapshot of an earlier, overlapping set
    /// of files: `base` holds the packages of `baseKeys` (in order); each file whose key
    /// (`keys`, in file order) is among them takes that package, the base's other packages
    /// are left out of solving, and only the remaining files are read, through the snapshot
    /// `delta` (named by the caller after those files). A tag that gained a few builds since
    /// `base` was written costs the new builds' headers, not the whole tag's.
    /// - Returns: one package per file, in file order, and how many RPM headers were read; nil
    ///   when `base` is missing or damaged (the caller then reads every file).
    public func addCandidates(
        repository: Int, rpmFiles: [String], keys: [String], base: String, baseKeys: [String], delta: String
    ) throws(SolverError) -> (packages: [SolverPackage], headersRead: Int)? {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: false)
        guard
            let (ids, read) = try pool.addRPMFiles(
                rpmFiles, keys: keys, base: base, baseKeys: baseKeys, delta: delta, origin: origin, label: "candidate-\(repository)")
        else { return nil }
        return (register(ids), read)
    }

    /// The libsolv version the snapshots are written with; a snapshot's name should include it.
    public static var libsolvVersion: String { SolvablePool.libsolvVersion }

    /// Candidate packages from a repository's metadata.
    /// - Parameters:
    ///   - primaryXML: path of the repository's primary.xml (uncompressed; gzip, xz and zstd also read).
    ///   - filelistsXML: path of its filelists.xml, for file requirements outside primary's file subset
    ///     and for the runtime multilib method, which looks at library paths.
    /// - Returns: the packages read, source packages included.
    @discardableResult
    public func addCandidates(repository: Int, primaryXML: String, filelistsXML: String?) throws(SolverError)
        -> [SolverPackage]
    {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: false)
        let label = "candidate-\(repository)"
        return register(try pool.addMetadata(primary: primaryXML, filelists: filelistsXML, origin: origin, label: label))
    }

    /// Candidate packages from a repository's metadata that hold more than the candidates: only
    /// the packages `keeping` accepts (asked once per package, with its NEVRA, in metadata
    /// order) take part in solving; the others are neither installable nor providers.
    /// - Returns: the packages kept.
    @discardableResult
    public func addCandidates(
        repository: Int, primaryXML: String, filelistsXML: String?, keeping: (_ nevra: String) -> Bool
    ) throws(SolverError) -> [SolverPackage] {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: false)
        let ids = try pool.addMetadata(
            primary: primaryXML, filelists: filelistsXML, origin: origin, label: "candidate-\(repository)",
            keep: { [pool] id in keeping(pool.package(id).nevra) })
        return register(ids)
    }

    /// A lookaside repository from metadata: its packages satisfy requirements but are never part of
    /// ``ClosureResult/packages``.
    @discardableResult
    public func addLookaside(repository: Int, primaryXML: String, filelistsXML: String?) throws(SolverError)
        -> [SolverPackage]
    {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: true)
        let label = "lookaside-\(repository)"
        return register(try pool.addMetadata(primary: primaryXML, filelists: filelistsXML, origin: origin, label: label))
    }

    /// A lookaside repository from RPM files.
    @discardableResult
    public func addLookaside(repository: Int, rpmFiles: [String]) throws(SolverError) -> [SolverPackage] {
        let origin = SolvablePool.Origin(repository: repository, isLookaside: true)
        return register(try pool.addRPMFiles(rpmFiles, origin: origin, label: "lookaside-\(repository)"))
    }

    /// The packages the compose gets for `request`, Pungi's way. See ``GatherRun`` for the loop and
    /// ``ClosureResult`` for what each list holds.
    public func closure(_ request: ClosureRequest) -> ClosureResult {
        let universe = GatherUniverse(
            pool: pool, family: family, multilibBlacklist: request.multilibBlacklist.map(Glob.init))
        var initial: [Id] = []
        var rejected: [SolverPackage] = []
        for package in request.initial {
            let key = PackageKey(repository: package.repository, nevra: package.nevra)
            if let id = solvablesByKey[key], pool.isInstallable(id), !GatherUniverse.debugPatterns.matchAny(package.name) {
                initial.append(id)
            } else {
                rejected.append(package)
            }
        }
        let run = GatherRun(universe: universe, request: request)
        run.run(initial: initial, resolveDependencies: request.resolveDependencies)
        return result(of: run, rejected: rejected)
    }

    private func result(of run: GatherRun, rejected: [SolverPackage]) -> ClosureResult {
        var packages: [SolverPackage] = []
        var lookaside: [SolverPackage] = []
        for id in run.chosen {
            // Pungi flags a package "lookaside" when the same NEVRA is in a lookaside repository too, and
            // leaves flagged packages out of the compose.
            if run.universe.isLookaside(id) || run.universe.hasLookasideCopy(id) {
                lookaside.append(pool.package(id))
            } else {
                packages.append(pool.package(id))
            }
        }
        let unresolved = Set(
            run.unresolved.map {
                UnresolvedDependency(package: pool.package($0.package), dependency: pool.dependencyText($0.dependency))
            })
        return ClosureResult(
            packages: packages.sorted(by: Self.byNEVRA), unresolved: unresolved.sorted(by: Self.byPackageThenText),
            fromLookaside: lookaside.sorted(by: Self.byNEVRA), rejectedInitial: rejected)
    }

    private func register(_ ids: [Id]) -> [SolverPackage] {
        ids.map { id in
            let package = pool.package(id)
            solvablesByKey[PackageKey(repository: package.repository, nevra: package.nevra)] = id
            return package
        }
    }

    private static func byNEVRA(_ lhs: SolverPackage, _ rhs: SolverPackage) -> Bool {
        lhs.nevra != rhs.nevra ? lhs.nevra < rhs.nevra : lhs.repository < rhs.repository
    }

    private static func byPackageThenText(_ lhs: UnresolvedDependency, _ rhs: UnresolvedDependency) -> Bool {
        lhs.package != rhs.package ? byNEVRA(lhs.package, rhs.package) : lhs.dependency < rhs.dependency
    }
}
