import ODCSVolume
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
    ///
    /// Refused: in a local repository, a path that climbs out of its directory (`../`); in a
    /// remote one, an `xml:base` that names a local file (`file:///…`, `/…`) — a repository
    /// someone else serves must not make a node copy this machine's files into a compose.
    public func resolve(_ relative: String, base: String? = nil) throws(RepoError) -> RepositoryLocation {
        if let base, !base.isEmpty {
            let lowered = base.lowercased()
            guard let root = RepositoryLocation(lowered.hasPrefix("file://") ? String(base.dropFirst(7)) : base) else {
                throw RepoError.repository(
                    location: description, reason: "xml:base \(base.debugDescription) is neither an http(s) URL nor a local path")
            }
            if case .url = self, case .directory = root {
                throw RepoError.repository(
                    location: description,
                    reason: "xml:base \(base.debugDescription) names a local file; a remote repository may only point at http(s) URLs")
            }
            return try root.resolve(relative)
        }
        switch self {
        case .directory(let path):
            do {
                return .directory(try ConfinedPath(root: path).appending(relative).path)
            } catch {
                throw RepoError.repository(
                    location: description, reason: "\(relative.debugDescription) is not a path inside the repository")
            }
        case .url(let url): return .url(url + "/" + relative)
        }
    }
}
