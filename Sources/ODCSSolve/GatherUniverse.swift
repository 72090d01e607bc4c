import CLibsolv

/// The packages Pungi's gather queries can see in one closure, and how each one is classified.
///
/// This is `GatherBase` plus `_apply_excludes` of `pungi/gather_dnf.py`: binary packages of the compose's
/// arches (source rpms and `*-debuginfo`, `*-debuginfo-*`, `*-debugsource` left out), multilib builds of
/// blacklisted names removed, then only the newest of each name.arch kept across candidate *and*
/// lookaside repositories (hawkey's `latest()`), so an older version is never a provider.
struct GatherUniverse {
    /// Where an arch stands in `ArchWrapper`'s lists.
    struct ArchClass {
        /// Index in `all_arches`: lower is better in `_get_best_package`.
        let score: Int
        /// In `native_arches` (the compose arch and noarch).
        let isNative: Bool
        /// In `multilib_arches` (e.g. i686 on x86_64); noarch is not.
        let isMultilibArch: Bool
        let isNoarch: Bool
        /// In `q_multilib_binary_packages`: a multilib arch, or noarch (Pungi unions noarch into both sides).
        var isMultilibSide: Bool { isMultilibArch || isNoarch }
    }

    private struct NameEVR: Hashable {
        let name: Id
        let evr: Id
    }

    private struct NameArch: Hashable {
        let name: Id
        let arch: Id
    }

    private struct NameVersionRelease: Hashable {
        let name: Id
        let version: String
        let release: String
    }

    private struct NameEVRArch: Hashable {
        let name: Id
        let evr: Id
        let arch: Id
    }

    static let debugPatterns = ["*-debuginfo", "*-debuginfo-*", "*-debugsource"].map(Glob.init)

    let pool: SolvablePool
    let family: ArchitectureFamily
    private var visible: [Bool]
    private var archClasses: [Id: ArchClass] = [:]
    private var multilibBuilds: [NameVersionRelease: [Id]] = [:]
    private var lookasideByNameEVR: [NameEVR: [Id]] = [:]
    private var lookasideNEVRAs: Set<NameEVRArch> = []

    init(pool: SolvablePool, family: ArchitectureFamily, multilibBlacklist: [Glob]) {
        self.pool = pool
        self.family = family
        pool.prepareProviders()
        visible = Array(repeating: false, count: Int(pool.solvableCount))
        var newest: [NameArch: [Id]] = [:]  // the newest solvables of each name.arch seen so far
        for id in 2..<pool.solvableCount where pool.origin(of: id) != nil && pool.isInstallable(id) {
            let name = pool.name(of: id)
            let arch = archClass(of: pool.solvable(id).pointee.arch)
            if Self.debugPatterns.matchAny(name) { continue }
            if arch.isMultilibArch && multilibBlacklist.matchAny(name) { continue }
            let key = NameArch(name: pool.solvable(id).pointee.name, arch: pool.solvable(id).pointee.arch)
            guard let best = newest[key]?.first else {
                newest[key] = [id]
                continue
            }
            let order = pool.compareEVR(id, best)
            if order > 0 { newest[key] = [id] } else if order == 0 { newest[key]?.append(id) }
        }
        for ids in newest.values {
            for id in ids { admit(id) }
        }
        for key in multilibBuilds.keys { multilibBuilds[key]?.sort() }
        for key in lookasideByNameEVR.keys { lookasideByNameEVR[key]?.sort() }
    }

    private mutating func admit(_ id: Id) {
        visible[Int(id)] = true
        let s = pool.solvable(id).pointee
        if archClass(of: s.arch).isMultilibArch {
            let evr = EVR(parsing: pool.string(s.evr))
            multilibBuilds[NameVersionRelease(name: s.name, version: evr.version, release: evr.release), default: []]
                .append(id)
        }
        if isLookaside(id) {
            lookasideByNameEVR[NameEVR(name: s.name, evr: s.evr), default: []].append(id)
            lookasideNEVRAs.insert(NameEVRArch(name: s.name, evr: s.evr, arch: s.arch))
        }
    }

    private mutating func archClass(of archID: Id) -> ArchClass {
        if let known = archClasses[archID] { return known }
        let arch = pool.string(archID)
        let result = ArchClass(
            score: family.score(of: arch), isNative: family.native.contains(arch),
            isMultilibArch: family.multilib.contains(arch), isNoarch: arch == "noarch")
        archClasses[archID] = result
        return result
    }

    /// The classification of a solvable's arch (any solvable the universe saw, visible or not).
    func arch(of id: Id) -> ArchClass {
        let archID = pool.solvable(id).pointee.arch
        return archClasses[archID]
            ?? ArchClass(score: family.all.count, isNative: false, isMultilibArch: false, isNoarch: false)
    }

    func isVisible(_ id: Id) -> Bool { Int(id) < visible.count && visible[Int(id)] }

    func isLookaside(_ id: Id) -> Bool { pool.origin(of: id)?.isLookaside ?? false }

    /// `q_binary_packages.filter(provides=dep)`.
    func providers(of dep: Id) -> [Id] { pool.providers(of: dep).filter(isVisible) }

    /// `q_multilib_binary_packages_cache.get(name, version, release)`: multilib-arch builds of the same
    /// version and release (the epoch is not compared, as in Pungi).
    func multilibBuilds(of id: Id) -> [Id] {
        let s = pool.solvable(id).pointee
        let evr = EVR(parsing: pool.string(s.evr))
        return multilibBuilds[NameVersionRelease(name: s.name, version: evr.version, release: evr.release)] ?? []
    }

    /// Lookaside packages with the same name and epoch:version-release, any arch.
    func lookasideTwins(of id: Id) -> [Id] {
        let s = pool.solvable(id).pointee
        return lookasideByNameEVR[NameEVR(name: s.name, evr: s.evr)] ?? []
    }

    /// Pungi's `is_from_lookaside`: the same NEVRA is also in a lookaside repository.
    func hasLookasideCopy(_ id: Id) -> Bool {
        let s = pool.solvable(id).pointee
        return lookasideNEVRAs.contains(NameEVRArch(name: s.name, evr: s.evr, arch: s.arch))
    }
}
