import CLibsolv

/// Owns one libsolv pool and reads package facts out of it as Swift values.
///
/// The pool is set to rpm semantics before anything else: Debian builds libsolv for dpkg, and with dpkg
/// semantics noarch packages are not installable and `whatprovides` answers nothing for them.
final class SolvablePool {
    /// Where a libsolv repository came from, in the caller's terms.
    struct Origin {
        let repository: Int
        let isLookaside: Bool
    }

    let pool: UnsafeMutablePointer<Pool>
    private(set) var origins: [Id: Origin] = [:]
    /// False after a load, until `prepareProviders` rebuilds file provides and the whatprovides index.
    private var providersAreCurrent = false
    /// Solvables loaded but left out of solving (`exclude`), through libsolv's `considered` map:
    /// freeing solvables from the middle of a repository corrupts `pool_addfileprovides`.
    private var excluded: [Id] = []
    private var considered: UnsafeMutablePointer<Map>?

    /// - Parameter acceptedArches: the binary arches the pool treats as installable; noarch always is.
    init(acceptedArches: [String]) {
        pool = pool_create()
        pool_setdisttype(pool, Int32(DISTTYPE_RPM))
        pool_setarchpolicy(pool, acceptedArches.filter { $0 != "noarch" }.joined(separator: ":"))
    }

    deinit {
        pool.pointee.considered = nil
        if let considered {
            map_free(considered)
            considered.deallocate()
        }
        pool_free(pool)
    }

    /// Leaves the solvables out of solving: they are neither installable nor providers.
    func exclude(_ ids: [Id]) {
        guard !ids.isEmpty else { return }
        excluded += ids
        providersAreCurrent = false
    }

    func createRepository(named name: String, origin: Origin) -> UnsafeMutablePointer<Repo> {
        // repo_create aborts rather than return NULL when memory runs out, so it always has a repository.
        let repo = repo_create(pool, name)!
        origins[repo.pointee.repoid] = origin
        providersAreCurrent = false
        return repo
    }

    func discard(_ repo: UnsafeMutablePointer<Repo>) {
        origins[repo.pointee.repoid] = nil
        repo_free(repo, 1)
        providersAreCurrent = false
    }

    /// File requirements are only answerable after `pool_addfileprovides`, which must see every repository.
    func prepareProviders() {
        guard !providersAreCurrent else { return }
        if !excluded.isEmpty {
            // Sized to every solvable now; rebuilt after each load, since later solvables must be in it.
            let map = considered ?? UnsafeMutablePointer<Map>.allocate(capacity: 1)
            if considered != nil { map_free(map) }
            map_init(map, pool.pointee.nsolvables)
            map_setall(map)
            for id in excluded { map_clr(map, id) }
            considered = map
            pool.pointee.considered = map
        }
        pool_addfileprovides(pool)
        pool_createwhatprovides(pool)
        providersAreCurrent = true
    }

    var solvableCount: Id { pool.pointee.nsolvables }

    func solvable(_ id: Id) -> UnsafeMutablePointer<Solvable> { pool.pointee.solvables + Int(id) }

    func origin(of id: Id) -> Origin? {
        guard let repo = solvable(id).pointee.repo else { return nil }
        return origins[repo.pointee.repoid]
    }

    func string(_ id: Id) -> String { String(cString: pool_id2str(pool, id)) }

    /// A dependency as rpm writes it (`libbar >= 2.0`, `(a or b)`).
    func dependencyText(_ dep: Id) -> String { String(cString: pool_dep2str(pool, dep)) }

    func name(of id: Id) -> String { string(solvable(id).pointee.name) }
    func arch(of id: Id) -> String { string(solvable(id).pointee.arch) }

    /// Whether the arch policy and the source/nosrc rule let this solvable provide anything.
    func isInstallable(_ id: Id) -> Bool { pool_installable(pool, solvable(id)) != 0 }

    func sourceRPM(of id: Id) -> String? {
        let s = solvable(id)
        let arch = s.pointee.arch
        guard arch != Id(ARCH_SRC.rawValue), arch != Id(ARCH_NOSRC.rawValue) else { return nil }
        return solvable_lookup_sourcepkg(s).map { String(cString: $0) }
    }

    func package(_ id: Id) -> SolverPackage {
        let evr = EVR(parsing: string(solvable(id).pointee.evr))
        return SolverPackage(
            repository: origin(of: id)?.repository ?? -1, name: name(of: id), epoch: evr.epoch, version: evr.version,
            release: evr.release, arch: arch(of: id), sourceRPM: sourceRPM(of: id))
    }

    /// Requires, Requires(pre) and Requires(post) together, as Pungi's `_get_package_deps` reads them.
    func requirements(of id: Id) -> [Id] {
        deparray(of: id, key: Id(SOLVABLE_REQUIRES.rawValue)).filter { $0 != Id(SOLVABLE_PREREQMARKER.rawValue) }
    }

    func provides(of id: Id) -> [Id] { deparray(of: id, key: Id(SOLVABLE_PROVIDES.rawValue)) }

    /// Every file the package owns: the whole list from an RPM header, or primary.xml's subset plus
    /// filelists.xml when that was loaded.
    func files(of id: Id) -> [String] {
        var iterator = Dataiterator()
        let repo = solvable(id).pointee.repo
        dataiterator_init(&iterator, pool, repo, id, Id(SOLVABLE_FILELIST.rawValue), nil, Int32(SEARCH_FILES))
        defer { dataiterator_free(&iterator) }
        var files: [String] = []
        while dataiterator_step(&iterator) != 0 {
            if let path = iterator.kv.str { files.append(String(cString: path)) }
        }
        return files
    }

    /// Installable solvables that provide `dep`, including rich dependencies libsolv can expand.
    func providers(of dep: Id) -> [Id] {
        var result: [Id] = []
        // whatprovidesdata always holds at least the terminating 0 for a dependency without providers.
        var cursor = odcs_whatprovides(pool, dep)!
        while cursor.pointee != 0 {
            result.append(cursor.pointee)
            cursor += 1
        }
        return result
    }

    func compareEVR(_ lhs: Id, _ rhs: Id) -> Int32 {
        pool_evrcmp(pool, solvable(lhs).pointee.evr, solvable(rhs).pointee.evr, Int32(EVRCMP_COMPARE))
    }

    private func deparray(of id: Id, key: Id) -> [Id] {
        var queue = Queue()
        queue_init(&queue)
        defer { queue_free(&queue) }
        solvable_lookup_deparray(solvable(id), key, &queue, 0)
        return (0..<Int(queue.count)).map { queue.elements[$0] }
    }
}
