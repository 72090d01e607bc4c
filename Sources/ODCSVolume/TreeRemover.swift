import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Removes files and directory trees on the shared volume without ever following a symlink:
/// a link is unlinked, never resolved; recursion goes only into real directories, opened
/// relative to their parent's descriptor with `O_NOFOLLOW`, on the filesystem of the root.
/// Expiry, the orphan sweep, disk pressure, trash emptying and discarded staging all remove
/// through it.
///
///     try TreeRemover.remove(layout.trashRoot.appending(entry))
///
/// Whoever can write to the volume can plant `odcs-9 -> /etc`, or swap a directory for a
/// link while it is being removed: each step is done on a descriptor, so neither makes a node
/// delete anything outside the root of the path. Only the root itself is opened by its path
/// (it comes from the configuration, and may be a link an operator made).
public enum TreeRemover {
    /// Directories deeper than this below the removed entry are refused (no compose is that deep).
    public static let maximumDepth = 256

    /// Removes `path`. Returns false when nothing was there. A symlink (or a directory swapped
    /// for one) on the way to `path` below the root stops the removal with an error.
    ///
    /// `keepingOpenFiles` leaves silly-renamed files where they are — NFS's `.nfs…` and FUSE's
    /// `.fuse_hidden…`: a file unlinked while a process of that client still has it open — so
    /// that the removal ends with
    /// ENOTEMPTY (`PathError.code`) instead of pulling the file from under its reader; their
    /// client deletes them once the reader closes, and a later removal finishes the tree.
    @discardableResult
    public static func remove(_ path: ConfinedPath, keepingOpenFiles: Bool = false) throws(PathError) -> Bool {
        guard let name = path.name, let parentPath = path.parent else {
            throw PathError(path: path.string, reason: "the root of a confined path is never removed")
        }
        guard let parent = try openDirectory(parentPath) else { return false }
        defer { close(parent) }
        var rootStatus = stat()
        guard fstat(parent, &rootStatus) == 0 else { throw failure(path, "fstat") }
        return try removeEntry(
            Array(name.utf8CString), in: parent, device: rootStatus.st_dev, depth: 0, path: path, keepingOpenFiles: keepingOpenFiles)
    }

    /// NFS clients name an unlinked file that is still open `.nfs` and hex digits; libfuse
    /// (without `hard_remove`) `.fuse_hidden` and hex digits.
    static func isSillyRenamed(_ name: [CChar]) -> Bool {
        let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return sillyRenamePrefixes.contains { bytes.count > $0.count && bytes.starts(with: $0) }
    }

    static let sillyRenamePrefixes: [[UInt8]] = [Array(".nfs".utf8), Array(".fuse_hidden".utf8)]

    /// Removes everything inside the directory `path`, keeping the directory itself.
    public static func removeContents(of path: ConfinedPath) throws(PathError) {
        guard let directory = try openDirectory(path) else { return }
        defer { close(directory) }
        var status = stat()
        guard fstat(directory, &status) == 0 else { throw failure(path, "fstat") }
        try removeContents(directory, device: status.st_dev, depth: 0, path: path, keepingOpenFiles: false)
    }

    /// Opens the root by its path, then each component below it with `O_NOFOLLOW`; nil when a
    /// component does not exist.
    static func openDirectory(_ path: ConfinedPath) throws(PathError) -> Int32? {
        var fd = open(path.root.string, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw failure(path, "open \(path.root)")
        }
        for component in path.components {
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let error = errno
            close(fd)
            guard next >= 0 else {
                if error == ENOENT { return nil }
                if error == ELOOP || error == ENOTDIR {
                    throw PathError(path: path.string, reason: "'\(component)' is not a real directory (a symlink is never followed)")
                }
                throw failure(path, "open \(component)", error)
            }
            fd = next
        }
        return fd
    }

    /// `name`: the entry's bytes, NUL-terminated (a name on the volume need not be UTF-8).
    static func removeEntry(
        _ name: [CChar], in parent: Int32, device: dev_t, depth: Int, path: ConfinedPath, keepingOpenFiles: Bool
    ) throws(PathError) -> Bool {
        let shown = String(decoding: name.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A directory may be swapped for a link between the stat and the open: then the open
        // fails with ELOOP or ENOTDIR and the entry is looked at again.
        for _ in 0..<3 {
            var status = stat()
            guard fstatat(parent, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
                if errno == ENOENT { return false }
                throw failure(path, "stat \(shown)")
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                if keepingOpenFiles && isSillyRenamed(name) { return false }
                guard unlinkat(parent, name, 0) == 0 else {
                    if errno == ENOENT { return false }
                    if errno == EISDIR { continue }
                    throw failure(path, "unlink \(shown)")
                }
                return true
            }
            guard status.st_dev == device else {
                throw PathError(path: path.string, reason: "'\(shown)' is on another filesystem (a mount point is never removed)")
            }
            let child = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else {
                if errno == ENOENT { return false }
                if errno == ELOOP || errno == ENOTDIR { continue }
                throw failure(path, "open \(shown)")
            }
            do {
                defer { close(child) }
                try removeContents(child, device: device, depth: depth + 1, path: path, keepingOpenFiles: keepingOpenFiles)
            }
            guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else {
                if errno == ENOENT { return false }
                throw failure(path, "rmdir \(shown)")
            }
            return true
        }
        throw PathError(path: path.string, reason: "'\(shown)' kept changing while it was being removed")
    }

    static func removeContents(_ directory: Int32, device: dev_t, depth: Int, path: ConfinedPath, keepingOpenFiles: Bool)
        throws(PathError)
    {
        guard depth <= maximumDepth else {
            throw PathError(path: path.string, reason: "it is more than \(maximumDepth) directories deep")
        }
        for name in try entries(of: directory, path: path) {
            _ = try removeEntry(name, in: directory, device: device, depth: depth, path: path, keepingOpenFiles: keepingOpenFiles)
        }
    }

    /// The names in a directory (read in full first: the directory is changed afterwards).
    static func entries(of directory: Int32, path: ConfinedPath) throws(PathError) -> [[CChar]] {
        let copy = dup(directory)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw failure(path, "opendir")
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [[CChar]] = []
        let dot = Array(".".utf8CString)
        let dotDot = Array("..".utf8CString)
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    Array(UnsafeBufferPointer(start: $0, count: strlen($0) + 1))
                }
            }
            if name != dot && name != dotDot { names.append(name) }
        }
        return names
    }

    static func failure(_ path: ConfinedPath, _ operation: String, _ code: Int32 = errno) -> PathError {
        PathError(path: path.string, reason: "\(operation): \(String(cString: strerror(code)))", code: code)
    }
}
