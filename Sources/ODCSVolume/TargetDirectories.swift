import ODCSCore
import SystemPackage

/// The default target dir and the named extra ones (`extra_target_dirs`), with the URL of
/// the default. A compose stores the path of its target dir; nil means the default.
public struct TargetDirectories: Sendable {
    public var defaultDir: FilePath
    public var defaultURL: String
    public var extra: [String: FilePath]
    /// Whether these dirs are the cluster's volume (`VolumeIdentityCheck`); every service that
    /// writes or removes on them asks it first. Unchecked unless the node sets one.
    public var trust: VolumeTrust
    /// How long a removed compose stays in `.trash/` before it is deleted (`trash_grace`), so
    /// that downloads in progress finish; disk pressure deletes it sooner.
    public var trashGrace: Duration = .seconds(600)

    public init(defaultDir: FilePath, defaultURL: String, extra: [String: FilePath] = [:], trust: VolumeTrust = .unchecked) {
        self.defaultDir = defaultDir
        self.defaultURL = defaultURL
        self.extra = extra
        self.trust = trust
    }

    public func layout(for compose: Compose) -> VolumeLayout? { layout(stored: compose.targetDir) }

    /// The layout of a stored target dir: the default for nil, else only one of the configured
    /// dirs — a path in the database that the configuration does not name (an edited row, a
    /// dir removed from `extra_target_dirs`) is never written to or removed from.
    public func layout(stored targetDir: String?) -> VolumeLayout? {
        guard let targetDir else { return VolumeLayout(targetDir: defaultDir) }
        let path = FilePath(targetDir)
        guard path == defaultDir || extra.values.contains(path) else { return nil }
        return VolumeLayout(targetDir: path)
    }

    /// Whether a stored target dir is the default one: nil, or the default's path (what the API
    /// stores for a request that names none).
    public func isDefault(stored targetDir: String?) -> Bool {
        targetDir.map { FilePath($0) == defaultDir } ?? true
    }

    /// Upstream serves only the default target dir over HTTP; others get "" URLs.
    public func url(for compose: Compose) -> String {
        guard let dir = compose.targetDir, FilePath(dir) != defaultDir else { return defaultURL }
        return ""
    }

    public var all: [VolumeLayout] {
        [VolumeLayout(targetDir: defaultDir)] + extra.values.sorted { $0.string < $1.string }.map { VolumeLayout(targetDir: $0) }
    }
}
