import CLibsolv
import Foundation

extension SolvablePool {
    /// Reads RPM headers into a new repository, one solvable per file in file order.
    ///
    /// The repository is all-or-nothing: on the first unreadable file it is freed again, so a failed call
    /// leaves the pool as it was.
    func addRPMFiles(_ paths: [String], origin: Origin, label: String) throws(SolverError) -> [Id] {
        let repo = createRepository(named: label, origin: origin)
        // Headers are read without internalizing after each file, which keeps thousands of files linear.
        let flags = Int32(REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE | RPM_ADD_NO_RPMLIBREQS)
        var ids: [Id] = []
        ids.reserveCapacity(paths.count)
        for path in paths {
            let id = repo_add_rpm(repo, path, flags)
            guard id != 0 else {
                // libsolv's message starts with the path again; the error names the file once.
                let reason = String(cString: pool_errstr(pool)).replacingOccurrences(of: "\(path): ", with: "")
                discard(repo)
                throw .unreadableRPM(path: path, reason: reason)
            }
            ids.append(id)
        }
        repo_internalize(repo)
        return ids
    }

    /// Reads a primary.xml (plain or compressed) and, when given, its filelists.xml into a new repository.
    ///
    /// filelists.xml extends the packages primary.xml made, matched by package checksum, so file
    /// requirements outside primary's subset (`/usr/bin/*`, `/etc/*`) and library paths resolve.
    ///
    /// `keep` is asked once per package read, in metadata order; the packages it refuses stay
    /// loaded but are excluded from solving (neither installable nor providers).
    func addMetadata(
        primary: String, filelists: String?, origin: Origin, label: String, keep: (Id) -> Bool = { _ in true }
    ) throws(SolverError) -> [Id] {
        let repo = createRepository(named: label, origin: origin)
        do {
            try read(primary, into: repo, flags: 0)
            if let filelists { try read(filelists, into: repo, flags: Int32(REPO_EXTEND_SOLVABLES | REPO_REUSE_REPODATA)) }
        } catch {
            discard(repo)
            throw error
        }
        repo_internalize(repo)
        let read = (repo.pointee.start..<repo.pointee.end).filter { solvable($0).pointee.repo == repo }
        var kept: [Id] = []
        var refused: [Id] = []
        kept.reserveCapacity(read.count)
        for id in read {
            if keep(id) { kept.append(id) } else { refused.append(id) }
        }
        exclude(refused)
        return kept
    }

    private func read(_ path: String, into repo: UnsafeMutablePointer<Repo>, flags: Int32) throws(SolverError) {
        guard let file = solv_xfopen(path, "r") else {
            throw .unreadableMetadata(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        guard repo_add_rpmmd(repo, file, nil, flags) == 0 else {
            throw .unreadableMetadata(path: path, reason: String(cString: pool_errstr(pool)))
        }
    }
}
