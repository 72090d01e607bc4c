import Crypto
import Foundation
import ODCSVolume
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The caches' files on the shared volume (`.cache/`), written so that a reader on any node
/// sees a whole file or none, and two writers of the same name write the same content.
enum CacheFile {
    /// The content-addressed name of a cache file: the SHA-256 of `parts`, each followed by a
    /// newline, as `<directory>/<first 2 hex digits>/<hex><suffix>`, or under `subdirectory`
    /// instead of the 2 hex digits.
    static func path(
        in directory: FilePath, hashing parts: some Sequence<String>, suffix: String = "", subdirectory: String? = nil
    ) throws -> ConfinedPath {
        var hasher = SHA256()
        for part in parts { hasher.update(data: Data("\(part)\n".utf8)) }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return try ConfinedPath(root: directory).appending(components: [subdirectory ?? String(digest.prefix(2)), digest + suffix])
    }

    /// Writes `text` to a unique temporary name beside `final`, fsyncs it and renames it into
    /// place; false (and nothing left behind) when it cannot. Blocks: call it on
    /// `BlockingIO.bulk`.
    @discardableResult
    static func write(_ text: String, to final: FilePath) -> Bool {
        let directory = final.removingLastComponent()
        let temporary = directory.appending("\(final.lastComponent?.string ?? "cache").tmp-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(atPath: directory.string, withIntermediateDirectories: true)
            let descriptor = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite, .groupRead, .otherRead])
            do {
                try descriptor.writeAll(text.utf8)
                guard fsync(descriptor.rawValue) == 0 else { throw Errno(rawValue: errno) }
                try descriptor.close()
            } catch {
                try? descriptor.close()
                throw error
            }
            guard rename(temporary.string, final.string) == 0 else { throw Errno(rawValue: errno) }
            return true
        } catch {
            _ = unlink(temporary.string)
            return false
        }
    }
}
