import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Empties `<target_dir>/.cache/` of what no compose used for a while: the header snapshots
/// and Koji listings are named by content and never invalidated, so without pruning they
/// grow with every tag event. Readers refresh a file's modification time when they use it
/// (`touch`, at most once an hour per file), so "not modified for `maxAge`" means "not used".
///
/// Like `TreeRemover` it never follows a symlink: directories are opened relative to their
/// parent with `O_NOFOLLOW`, on the root's filesystem; a link is unlinked (nothing in the cache
/// is a link), never resolved. Directories are kept (at most 256 per cache, by their names).
public enum CachePruner {
    public struct Outcome: Sendable, Equatable {
        public var files = 0
        public var bytes: Int64 = 0
        public init() {}
    }

    /// A cache writer's temporary file (`<name>.tmp-<unique>`) older than this is a crashed
    /// writer's: removed whatever `maxAge` is.
    public static let temporaryMaxAge: Int = 3600

    /// Removes the files below `root` last modified more than `maxAge` seconds before `now`
    /// (and writers' temporary files older than an hour). Depth is bounded: the caches are
    /// `<cache>/<kind>/<2 hex>/<file>`.
    public static func prune(_ root: ConfinedPath, maxAge: Int, now: time_t = time(nil)) throws(PathError) -> Outcome {
        var outcome = Outcome()
        guard let directory = try TreeRemover.openDirectory(root) else { return outcome }
        defer { close(directory) }
        var status = stat()
        guard fstat(directory, &status) == 0 else { throw TreeRemover.failure(root, "fstat") }
        try prune(
            directory, device: status.st_dev, depth: 0, path: root, cutoff: now - time_t(maxAge),
            temporaryCutoff: now - time_t(temporaryMaxAge), outcome: &outcome)
        return outcome
    }

    static func prune(
        _ directory: Int32, device: dev_t, depth: Int, path: ConfinedPath, cutoff: time_t, temporaryCutoff: time_t,
        outcome: inout Outcome
    ) throws(PathError) {
        let temporaryMark = Array(".tmp-".utf8).map { CChar(bitPattern: $0) }
        for name in try TreeRemover.entries(of: directory, path: path) {
            var status = stat()
            guard fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFDIR {
                guard depth < 3, status.st_dev == device else { continue }
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { continue }
                defer { close(child) }
                try prune(
                    child, device: device, depth: depth + 1, path: path, cutoff: cutoff, temporaryCutoff: temporaryCutoff,
                    outcome: &outcome)
                continue
            }
            let isTemporary = contains(name, temporaryMark)
            guard status.st_mtim.tv_sec < (isTemporary ? max(cutoff, temporaryCutoff) : cutoff) else { continue }
            if unlinkat(directory, name, 0) == 0 {
                outcome.files += 1
                outcome.bytes += Int64(status.st_size)
            }
        }
    }

    /// Marks a cache file used now, unless it was within the hour (one metadata write per file
    /// per hour, however many composes read it). Best effort.
    public static func touch(_ path: FilePath) {
        var status = stat()
        guard lstat(path.string, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
            status.st_mtim.tv_sec < time(nil) - 3600
        else { return }
        _ = utimensat(AT_FDCWD, path.string, nil, AT_SYMLINK_NOFOLLOW)
    }

    static func contains(_ name: [CChar], _ mark: [CChar]) -> Bool {
        let bytes = name.prefix { $0 != 0 }
        guard bytes.count >= mark.count else { return false }
        return (0...(bytes.count - mark.count)).contains { bytes[$0..<($0 + mark.count)].elementsEqual(mark) }
    }
}
