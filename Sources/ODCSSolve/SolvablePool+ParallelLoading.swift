import CLibsolv
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension SolvablePool {
    /// Files below which headers are read on the calling thread alone.
    static let parallelReadThreshold = 2000

    /// How many threads read `count` RPM headers: one for a few thousand files, else one per
    /// core, at most 4.
    static func readingThreads(for count: Int) -> Int {
        count < parallelReadThreshold ? 1 : max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// RPM headers read on `threads` threads: each reads a contiguous part of `paths` into a
    /// pool of its own and writes it out as a `.solv` image in memory; the images are then added
    /// to one new repository of this pool, in order. The result is what `addRPMFiles` gives
    /// (one solvable per file, in file order; the header cache's snapshots already rely on a
    /// `.solv` holding what the headers gave), in a fraction of the time: at 67,642 files,
    /// reading headers is most of a cold Fedora-scale compose. The extra threads are plain
    /// threads started from the calling one, so they inherit its CPU priority.
    func addRPMFiles(_ paths: [String], origin: Origin, label: String, threads: Int) throws(SolverError) -> [Id] {
        let parts = min(max(1, threads), paths.count)
        guard parts > 1 else { return try addRPMFiles(paths, origin: origin, label: label) }
        let size = (paths.count + parts - 1) / parts
        let ranges = stride(from: 0, to: paths.count, by: size).map { $0..<min($0 + size, paths.count) }
        let images = Mutex<[Result<[UInt8], SolverError>?]>(Array(repeating: nil, count: ranges.count))
        let done = DispatchGroup()
        for (index, range) in ranges.enumerated().dropFirst() {
            let part = Array(paths[range])
            done.enter()
            let thread = Thread {
                let image = Self.solvImage(of: part)
                images.withLock { $0[index] = image }
                done.leave()
            }
            thread.start()
        }
        let first = Self.solvImage(of: Array(paths[ranges[0]]))
        images.withLock { $0[0] = first }
        done.wait()

        let repo = createRepository(named: label, origin: origin)
        for image in images.withLock({ $0 }) {
            do {
                let bytes = try (image ?? .failure(.unreadableRPM(path: label, reason: "a reading thread gave nothing"))).get()
                guard Self.addSolvImage(bytes, to: repo) else {
                    throw SolverError.unreadableRPM(path: label, reason: "libsolv could not read back the headers it wrote")
                }
            } catch let error as SolverError {
                discard(repo)
                throw error
            } catch {
                discard(repo)
                throw .unreadableRPM(path: label, reason: "\(error)")
            }
        }
        let ids = (repo.pointee.start..<repo.pointee.end).filter { solvable($0).pointee.repo == repo }
        guard ids.count == paths.count else {
            discard(repo)
            throw .unreadableRPM(path: label, reason: "\(ids.count) packages read back from \(paths.count) files")
        }
        return ids
    }

    /// The headers of `paths` as a `.solv` image, read in a pool of their own (any thread).
    static func solvImage(of paths: [String]) -> Result<[UInt8], SolverError> {
        let pool = pool_create()!
        defer { pool_free(pool) }
        pool_setdisttype(pool, Int32(DISTTYPE_RPM))
        let repo = repo_create(pool, "part")!
        let flags = Int32(REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE | RPM_ADD_NO_RPMLIBREQS)
        for path in paths {
            guard repo_add_rpm(repo, path, flags) != 0 else {
                let reason = String(cString: pool_errstr(pool)).replacingOccurrences(of: "\(path): ", with: "")
                return .failure(.unreadableRPM(path: path, reason: reason))
            }
        }
        repo_internalize(repo)
        var buffer: UnsafeMutablePointer<CChar>?
        var length = 0
        guard let file = open_memstream(&buffer, &length) else {
            return .failure(.unreadableRPM(path: paths.first ?? "", reason: "cannot open a memory stream"))
        }
        let written = repo_write(repo, file) == 0
        fclose(file)
        defer { free(buffer) }
        guard written, let buffer else {
            return .failure(.unreadableRPM(path: paths.first ?? "", reason: "libsolv could not write the headers it read"))
        }
        return .success(Array(UnsafeRawBufferPointer(start: buffer, count: length)))
    }

    /// Adds a `.solv` image's solvables at the end of `repo`.
    static func addSolvImage(_ bytes: [UInt8], to repo: UnsafeMutablePointer<Repo>) -> Bool {
        var bytes = bytes
        return bytes.withUnsafeMutableBytes { raw in
            guard let file = fmemopen(raw.baseAddress, raw.count, "r") else { return false }
            defer { fclose(file) }
            return repo_add_solv(repo, file, 0) == 0
        }
    }
}
