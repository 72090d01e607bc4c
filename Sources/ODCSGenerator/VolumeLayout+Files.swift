import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The file operations on the shared volume. Publishing and removal are each one `rename`
/// within the target dir, so that a reader never sees half a compose.
extension VolumeLayout {
    public struct FileError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// A fresh, empty staging directory for one claim (a leftover of the same attempt is cleared).
    public func makeStaging(id: Int64, attempt: Int) throws -> FilePath {
        let path = staging(id: id, attempt: attempt)
        if FileManager.default.fileExists(atPath: path.string) { try FileManager.default.removeItem(atPath: path.string) }
        try FileManager.default.createDirectory(atPath: path.string, withIntermediateDirectories: true)
        return path
    }

    /// Moves a staging directory to `odcs-<id>` when nothing is there yet; false (and nothing
    /// moved) when the destination exists. rename(2) itself decides, so there is no window
    /// between a check and the move.
    public func publishIfAbsent(staging: FilePath, id: Int64) throws -> Bool {
        let destination = published(id: id)
        var info = stat()
        if lstat(destination.string, &info) == 0 { return false }
        guard rename(staging.string, destination.string) == 0 else {
            if errno == ENOTEMPTY || errno == EEXIST { return false }
            throw FileError(description: "cannot publish \(staging) as \(destination): \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Moves a staging directory to `odcs-<id>`. Whatever was there before (an earlier
    /// attempt's leftover) goes to the trash first.
    public func publish(staging: FilePath, id: Int64) throws {
        let destination = published(id: id)
        if (try? FileManager.default.attributesOfItem(atPath: destination.string)) != nil {
            try moveToTrash(destination, id: id)
            removeTrash()
        }
        guard rename(staging.string, destination.string) == 0 else {
            throw FileError(description: "cannot publish \(staging) as \(destination): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes `odcs-<id>`: a symlink is unlinked and its target removed (older layouts), a
    /// directory is renamed into the trash and deleted. A missing directory is fine.
    /// Returns whether anything was there.
    @discardableResult
    public func removePublished(id: Int64) throws -> Bool {
        let path = published(id: id)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path.string) else { return false }
        if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
            let target = path.string.resolvingSymlinks
            unlink(path.string)
            if target != path.string, FileManager.default.fileExists(atPath: target) {
                try FileManager.default.removeItem(atPath: target)
            }
            return true
        }
        try moveToTrash(path, id: id)
        removeTrash()
        return true
    }

    /// Deletes a staging directory (a lost lease's work).
    public func discard(_ staging: FilePath) {
        try? FileManager.default.removeItem(atPath: staging.string)
    }

    func moveToTrash(_ path: FilePath, id: Int64) throws {
        try FileManager.default.createDirectory(atPath: trashRoot.string, withIntermediateDirectories: true)
        let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let destination = trash(id: id, nonce: nonce)
        guard rename(path.string, destination.string) == 0 else {
            throw FileError(description: "cannot move \(path) to the trash: \(String(cString: strerror(errno)))")
        }
    }

    /// Deletes everything in the trash; entries another node is deleting at the same time
    /// may vanish underneath, which is fine.
    public func removeTrash() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: trashRoot.string)) ?? []
        for entry in entries { try? FileManager.default.removeItem(atPath: trashRoot.appending(entry).string) }
    }

    /// Free bytes for unprivileged users on the target dir's filesystem.
    public func freeBytes() throws -> UInt64 {
        var stats = statvfs()
        guard statvfs(targetDir.string, &stats) == 0 else {
            throw FileError(description: "statvfs \(targetDir): \(String(cString: strerror(errno)))")
        }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
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
