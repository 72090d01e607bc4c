import SystemPackage

/// Where a repository lives: a directory on this machine or an http(s) URL. Both name the
/// directory that holds `repodata/`.
public enum RepositoryLocation: Sendable, Hashable, CustomStringConvertible {
    case directory(FilePath)
    case url(String)

    /// An absolute path or an `http://`/`https://` URL; nil for anything else (relative
    /// paths, other schemes), which a caller reports as an invalid source.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            let host = text.drop(while: { $0 != "/" }).dropFirst(2).prefix(while: { $0 != "/" })
            guard !host.isEmpty else { return nil }
            var url = text
            while url.hasSuffix("/") { url.removeLast() }
            self = .url(url)
        } else if text.hasPrefix("/") {
            self = .directory(FilePath(text).lexicallyNormalized())
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .directory(let path): path.string
        case .url(let url): url
        }
    }

    /// The location of a file named relative to the repository root (`repodata/repomd.xml`,
    /// a package's `href`), or relative to `base` when the metadata gives an `xml:base`.
    public func resolve(_ relative: String, base: String? = nil) -> RepositoryLocation {
        if let base, !base.isEmpty {
            if let root = RepositoryLocation(base.hasPrefix("file://") ? String(base.dropFirst(7)) : base) {
                return root.resolve(relative)
            }
        }
        switch self {
        case .directory(let path): return .directory(path.appending(relative).lexicallyNormalized())
        case .url(let url): return .url(url + "/" + relative)
        }
    }
}
