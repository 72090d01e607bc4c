import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// raw_config composes are also reachable through symlinks in `<target_dir>/<compose_type>/`
/// (reference §9.5); expiry keeps the newest of each line and removes the links with it.
extension VolumeLayout {
    /// Upstream's `get_latest_symlink`: the compose is what `latest-<A>-<B>` points to, where
    /// A-B are the first two parts of its pungi compose id.
    public func isNewestOfRawConfigLine(composeType: String, pungiComposeID: String) -> Bool {
        let parts = pungiComposeID.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 2, Self.isPlainName(composeType), Self.isPlainName(pungiComposeID) else { return false }
        let dir = targetDir.appending(composeType)
        let own = dir.appending(pungiComposeID).string.resolvingSymlinks
        let latest = dir.appending("latest-\(parts[0])-\(parts[1])").string.resolvingSymlinks
        return FileManager.default.fileExists(atPath: own) && own == latest && own != dir.appending(pungiComposeID).string
    }

    /// Unlinks every link in `<target_dir>/<compose_type>/` that points at `odcs-<id>`.
    public func removeRawConfigLinks(id: Int64, composeType: String) {
        guard Self.isPlainName(composeType) else { return }
        let dir = targetDir.appending(composeType)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.string)) ?? []
        for entry in entries {
            let path = dir.appending(entry).string
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { continue }
            if destination == "../odcs-\(id)" || destination == published(id: id).string { unlink(path) }
        }
    }

    /// A single path component that cannot climb out of the target dir.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }
}
