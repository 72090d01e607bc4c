import CLibsolv

#if canImport(Glibc)
    import Glibc
#endif

extension SolvablePool {
    /// libsolv's version, part of every snapshot's key: `.solv` files of another version are
    /// not read (a rolling upgrade keeps both sets apart).
    static var libsolvVersion: String { String(cString: odcs_solv_version()) }

    /// RPM headers through a snapshot: the repository of `snapshot` (a `.solv` file written
    /// earlier for the same files) when it holds exactly `paths.count` packages, else the
    /// headers of the files, written to `snapshot` for the next time (temporary file, fsync,
    /// rename: readers see a whole file or none; two writers write the same content).
    /// - Returns: the solvables in file order, and how many RPM headers were read (0 on a hit).
    func addRPMFiles(
        _ paths: [String], snapshot: String, origin: Origin, label: String
    ) throws(SolverError) -> (ids: [Id], headersRead: Int) {
        if let ids = addSnapshot(snapshot, expected: paths.count, origin: origin, label: label) { return (ids, 0) }
        let ids = try addRPMFiles(paths, origin: origin, label: label)
        if let first = ids.first, let repo = solvable(first).pointee.repo { writeSnapshot(repo, to: snapshot) }
        return (ids, paths.count)
    }

    /// RPM headers through an earlier snapshot of an overlapping set: `base` (holding the
    /// packages of `baseKeys`, in order) gives every file whose key it holds, its other
    /// packages are excluded from solving, and the files it lacks are read through the snapshot
    /// `delta` (read, or written for the next time).
    /// - Returns: the solvables in file order and how many headers were read; nil (pool
    ///   unchanged) when `base` cannot be read or does not hold `baseKeys.count` packages.
    func addRPMFiles(
        _ paths: [String], keys: [String], base: String, baseKeys: [String], delta: String, origin: Origin, label: String
    ) throws(SolverError) -> (ids: [Id], headersRead: Int)? {
        guard let baseIDs = addSnapshot(base, expected: baseKeys.count, origin: origin, label: "\(label)-base") else { return nil }
        var position: [String: Int] = [:]
        position.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() where position[key] == nil { position[key] = index }
        var ids = [Id](repeating: 0, count: paths.count)
        var refused: [Id] = []
        for (id, key) in zip(baseIDs, baseKeys) {
            if let index = position.removeValue(forKey: key) { ids[index] = id } else { refused.append(id) }
        }
        exclude(refused)
        let missing = ids.indices.filter { ids[$0] == 0 }
        guard !missing.isEmpty else { return (ids, 0) }
        let (read, count) = try addRPMFiles(missing.map { paths[$0] }, snapshot: delta, origin: origin, label: "\(label)-delta")
        for (index, id) in zip(missing, read) { ids[index] = id }
        return (ids, count)
    }

    /// A snapshot's repository, or nil (pool unchanged) when it is missing, unreadable or holds
    /// another number of packages. A damaged file is removed so that the next reader rewrites it.
    /// `expected` nil accepts any number (a repository's metadata).
    func addSnapshot(_ path: String, expected: Int?, origin: Origin, label: String) -> [Id]? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        let repo = createRepository(named: label, origin: origin)
        guard repo_add_solv(repo, file, 0) == 0, expected.map({ Int(repo.pointee.nsolvables) == $0 }) ?? true else {
            discard(repo)
            unlink(path)
            return nil
        }
        return (repo.pointee.start..<repo.pointee.end).filter { solvable($0).pointee.repo == repo }
    }

    /// Best effort: a snapshot that cannot be written (read-only or full volume) only costs the
    /// next compose the header reads again.
    @discardableResult
    func writeSnapshot(_ repo: UnsafeMutablePointer<Repo>, to path: String) -> Bool {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard let file = fopen(temporary, "w") else { return false }
        let written = odcs_write_for_solving(repo, file) == 0 && fflush(file) == 0 && fsync(fileno(file)) == 0
        let closed = fclose(file) == 0
        guard written, closed, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
