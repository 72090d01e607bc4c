import SystemPackage

/// A path that cannot leave its root: the one constructor of every path a node writes to,
/// reads a compose's files from or removes on the shared volume.
///
///     let staging = try ConfinedPath(root: "/srv/odcs/.staging/odcs-7-1")
///     let tree = try staging.appending("compose/Temporary/\(arch)/os")   // throws for "../x"
///
/// Each component of a relative path must be a plain name: not empty, not `.` or `..`, no `/`,
/// no NUL, at most 255 bytes. The result is then checked again after lexical normalisation, so
/// that a mistake in a caller's validation (or in this check) cannot turn into a path outside
/// the root. It is a lexical guarantee: a symlink planted inside the root is not resolved here
/// (removal never follows one: `TreeRemover`).
public struct ConfinedPath: Sendable, Hashable, CustomStringConvertible {
    /// Absolute and lexically normal.
    public let root: FilePath
    /// Plain names below the root.
    public let components: [String]

    static let maximumComponentBytes = 255

    /// `root` must be absolute; it is normalised (`/a/./b/../c` is `/a/c`).
    public init(root: FilePath) throws(PathError) {
        let text = root.string
        guard text.hasPrefix("/"), !text.utf8.contains(0) else {
            throw PathError(path: text, reason: "a root must be an absolute path")
        }
        self.root = root.lexicallyNormalized()
        self.components = []
    }

    private init(root: FilePath, components: [String]) {
        self.root = root
        self.components = components
    }

    /// The full path.
    public var path: FilePath {
        var path = root
        for component in components { path.append(component) }
        return path
    }

    public var string: String { path.string }
    public var description: String { path.string }

    /// The last component, or nil at the root.
    public var name: String? { components.last }

    /// `relative` split at `/`: every component must be a plain name (see the type's doc).
    public func appending(_ relative: String) throws(PathError) -> ConfinedPath {
        try appending(components: relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init))
    }

    public func appending(components added: [String]) throws(PathError) -> ConfinedPath {
        for component in added {
            if let reason = Self.problem(with: component) {
                throw PathError(path: (components + added).joined(separator: "/"), reason: reason)
            }
        }
        let result = ConfinedPath(root: root, components: components + added)
        // The second wall: whatever the component check let through, the normalised result
        // must still be below the root.
        let normalised = result.path.lexicallyNormalized()
        guard normalised.starts(with: root), normalised.components.count == root.components.count + result.components.count else {
            throw PathError(path: result.string, reason: "it leaves \(root)")
        }
        return result
    }

    /// For the fixed names in this codebase's own layouts (`"compose"`, `"repodata"`): a
    /// literal that is not a plain relative path is a programming error.
    public func appending(literal: StaticString) -> ConfinedPath { appending(generated: "\(literal)") }

    /// For names this codebase makes from numbers and fixed text (`odcs-<id>-<attempt>`):
    /// one that is not a plain relative path is a programming error, never a request's value.
    public func appending(generated relative: String) -> ConfinedPath {
        do {
            return try appending(relative)
        } catch {
            preconditionFailure("\(relative) is not a plain relative path: \(error)")
        }
    }

    /// The parent inside the root; nil at the root itself.
    public var parent: ConfinedPath? {
        components.isEmpty ? nil : ConfinedPath(root: root, components: Array(components.dropLast()))
    }

    /// The same relative components under another root (a staging directory's file as it
    /// will be once published).
    public func rebased(onto other: ConfinedPath) -> ConfinedPath {
        ConfinedPath(root: other.root, components: other.components + components)
    }

    /// Why `component` is not a plain name, or nil when it is one.
    public static func problem(with component: String) -> String? {
        if component.isEmpty { return "it has an empty path component" }
        if component == "." || component == ".." { return "it has a '\(component)' path component" }
        if component.utf8.contains(UInt8(ascii: "/")) { return "a path component contains '/'" }
        if component.utf8.contains(0) { return "it contains a NUL byte" }
        if component.utf8.count > maximumComponentBytes { return "a path component is longer than \(maximumComponentBytes) bytes" }
        return nil
    }

    /// Whether `name` can be one path component.
    public static func isPlainName(_ name: String) -> Bool { problem(with: name) == nil }
}

/// A path that would leave its root, or a root that is not absolute.
public struct PathError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// The errno of the failed system call, when one failed.
    public var code: Int32?

    public init(path: String, reason: String, code: Int32? = nil) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    public var description: String { "refused path \(path.debugDescription): \(reason)" }
}
