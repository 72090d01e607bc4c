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
        guard parts.count >= 2, let directory = try? entry(composeType),
            let ownLink = try? directory.appending(components: [pungiComposeID]),
            let latestLink = try? directory.appending(components: ["latest-\(parts[0])-\(parts[1])"])
        else { return false }
        let own = ownLink.string.resolvingSymlinks
        let latest = latestLink.string.resolvingSymlinks
        return FileManager.default.fileExists(atPath: own) && own == latest && own != ownLink.string
    }

    /// Unlinks every link in `<target_dir>/<compose_type>/` that points at `odcs-<id>`; a
    /// compose type directory that is itself a link is left alone.
    public func removeRawConfigLinks(id: Int64, composeType: String) {
        guard let directory = try? entry(composeType) else { return }
        var info = stat()
        guard lstat(directory.string, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.string)) ?? []
        for name in entries {
            guard let link = try? directory.appending(components: [name]),
                let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: link.string)
            else { continue }
            if destination == "../odcs-\(id)" || destination == published(id: id).string { unlink(link.string) }
        }
    }

    /// A single path component that cannot climb out of the target dir.
    static func isPlainName(_ name: String) -> Bool { ConfinedPath.isPlainName(name) }
}
