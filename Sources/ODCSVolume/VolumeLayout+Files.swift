import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The file operations on the shared volume. Publishing and removal are each one `rename`
/// within the target dir, so that a reader never sees half a compose; deletion goes through
/// `TreeRemover`, which unlinks a symlink and never deletes what it points to. Every one of
/// them blocks: services call them on `BlockingIO`'s threads.
extension VolumeLayout {
    public struct FileError: Error, CustomStringConvertible, Sendable {
        public var description: String
        /// The errno behind the error, when one is.
        public var code: Int32? = nil
    }

    /// A fresh, empty staging directory for one claim (a leftover of the same attempt is cleared).
    public func makeStaging(id: Int64, attempt: Int) throws -> FilePath {
        let entry = stagingEntry(id: id, attempt: attempt)
        try TreeRemover.remove(entry)
        try ensureRealDirectory(stagingDirectory)
        guard mkdir(entry.string, 0o755) == 0 else {
            throw FileError(description: "cannot create \(entry): \(String(cString: strerror(errno)))")
        }
        return entry.path
    }

    /// Moves a staging directory to `odcs-<id>` when nothing is there yet; false (and nothing
    /// moved) when something is. rename(2) itself decides, on the server: no existence check
    /// comes first, because a client's cache (an NFS client remembers "not found" for tens of
    /// seconds) may answer a check differently from the rename.
    public func publishIfAbsent(staging: FilePath, id: Int64) throws -> Bool {
        let destination = published(id: id)
        guard rename(staging.string, destination.string) == 0 else {
            if Self.isOccupied(errno) { return false }
            throw FileError(description: "cannot publish \(staging) as \(destination): \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Moves a staging directory to `odcs-<id>`. Whatever is there (an earlier attempt's
    /// leftover) goes to the trash first, as the rename's own answer says: never on the word
    /// of a prior existence check. The trash is emptied later (`emptyTrash`).
    public func publish(staging: FilePath, id: Int64) throws {
        let destination = published(id: id)
        for _ in 0..<3 {
            if rename(staging.string, destination.string) == 0 { return }
            let error = errno
            guard Self.isOccupied(error) else {
                throw FileError(description: "cannot publish \(staging) as \(destination): \(String(cString: strerror(error)))")
            }
            do {
                try moveToTrash(publishedEntry(id: id), id: id)
            } catch let error as FileError where error.code == ENOENT {
                // Gone meanwhile (another node's expiry): the next rename will tell.
            }
        }
        throw FileError(description: "cannot publish \(staging) as \(destination): it keeps being replaced")
    }

    /// The answers of rename(2) that mean "something is already at the destination".
    static func isOccupied(_ error: Int32) -> Bool { error == ENOTEMPTY || error == EEXIST || error == ENOTDIR || error == EISDIR }

    /// Removes `odcs-<id>`: a directory is renamed into the trash, which `emptyTrash` deletes
    /// once its grace period is over (downloads in progress go on meanwhile); a symlink
    /// (an older layout's, or one planted on the volume) is unlinked, and what it points to
    /// is left alone — a dated directory of an older layout is an `odcs-<id>-…` orphan the
    /// orphan sweep removes. A missing entry is fine. Returns whether anything was there.
    @discardableResult
    public func removePublished(id: Int64) throws -> Bool {
        let entry = publishedEntry(id: id)
        var info = stat()
        guard lstat(entry.string, &info) == 0 else { return false }
        if info.st_mode & S_IFMT != S_IFDIR { return try TreeRemover.remove(entry) }
        try moveToTrash(entry, id: id)
        return true
    }

    /// Deletes a staging directory (a lost lease's work).
    public func discard(_ staging: FilePath) {
        guard let name = staging.lastComponent?.string, let entry = try? stagingEntry(name), entry.path == staging else { return }
        _ = try? TreeRemover.remove(entry)
    }

    /// Keeps only what a failed compose may show for its TTL: the logs, `STATUS` and the
    /// error; the package trees and work files are deleted before it is published, so that
    /// nothing a failed generation put together is served.
    public func stripFailed(_ staging: FilePath) {
        guard let name = staging.lastComponent?.string, let entry = try? stagingEntry(name), entry.path == staging else { return }
        for part in ["compose", "work"] { _ = try? TreeRemover.remove(entry.appending(generated: part)) }
    }

    func moveToTrash(_ entry: ConfinedPath, id: Int64) throws {
        try ensureRealDirectory(trashDirectory)
        // The time it was moved is in its name: emptyTrash keeps it for the grace period.
        let nonce = "\(Int64(Date().timeIntervalSince1970))-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let destination = trash(id: id, nonce: nonce)
        // rename(2) moves a link itself, never what it points to.
        guard rename(entry.string, destination.string) == 0 else {
            let code = errno
            throw FileError(description: "cannot move \(entry) to the trash: \(String(cString: strerror(code)))", code: code)
        }
    }

    /// `.staging` and `.trash` are created when missing, and must be real directories: one
    /// replaced by a link would take new composes, or removed ones, out of the target dir.
    public func ensureRealDirectory(_ directory: ConfinedPath) throws {
        if mkdir(directory.string, 0o755) != 0 && errno != EEXIST {
            throw FileError(description: "cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(directory.string, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw FileError(description: "\(directory) is not a real directory (a symlink is never followed)")
        }
    }

    /// Removes one entry of the target dir or of `.staging/` (an orphan) without following links.
    @discardableResult
    public func removeEntry(_ entry: ConfinedPath) throws -> Bool {
        try TreeRemover.remove(entry)
    }

    /// Free bytes for unprivileged users on the target dir's filesystem.
    public func freeBytes() throws -> UInt64 {
        var stats = statvfs()
        guard statvfs(targetDir.string, &stats) == 0 else {
            throw FileError(description: "statvfs \(targetDir): \(String(cString: strerror(errno)))")
        }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// The size of the filesystem (what it could hold with nothing on it), from statvfs.
    public func capacityBytes() throws -> UInt64 {
        var stats = statvfs()
        guard statvfs(targetDir.string, &stats) == 0 else {
            throw FileError(description: "statvfs \(targetDir): \(String(cString: strerror(errno)))")
        }
        return UInt64(stats.f_blocks) * UInt64(stats.f_frsize)
    }

    public var exists: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: targetDir.string, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

extension String {
    /// realpath(3); the path itself when it does not resolve (a dangling link).
    var resolvingSymlinks: String {
        guard let resolved = realpath(self, nil) else { return self }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
