/// The `.repo` file ODCS writes next to a compose (upstream's `_write_repo_file`): the main
/// repository `[<name>]`, enabled, then `[<name>-debuginfo]` and `[<name>-source]`, disabled,
/// separated by blank lines.
///
///     RepoFile(name: "odcs-1", resultRepoURL: "http://localhost/odcs/odcs-1/compose/Temporary").text
///
/// URLs are joined as Python's `os.path.join` joins them, so an empty `resultRepoURL` (a
/// compose in a non-default target dir) gives relative base URLs such as `$basearch/os`.
public struct RepoFile: Sendable, Equatable {
    public struct Section: Sendable, Equatable {
        public var id: String
        public var baseURL: String
        public var enabled: Bool

        public init(id: String, baseURL: String, enabled: Bool) {
            self.id = id
            self.baseURL = baseURL
            self.enabled = enabled
        }

        public var text: String {
            """
            [\(id)]
            name=ODCS repository for compose \(id)
            baseurl=\(baseURL)
            type=rpm-md
            skip_if_unavailable=False
            gpgcheck=0
            repo_gpgcheck=0
            enabled=\(enabled ? 1 : 0)
            enabled_metadata=1

            """
        }
    }

    public var sections: [Section]

    public init(sections: [Section]) {
        self.sections = sections
    }

    /// The three sections every generated compose gets.
    public init(name: String, resultRepoURL: String) {
        self.init(sections: [
            Section(id: name, baseURL: Self.join(resultRepoURL, "$basearch/os"), enabled: true),
            Section(id: "\(name)-debuginfo", baseURL: Self.join(resultRepoURL, "$basearch/debug/tree"), enabled: false),
            Section(id: "\(name)-source", baseURL: Self.join(resultRepoURL, "source/tree"), enabled: false),
        ])
    }

    public var text: String { sections.map(\.text).joined(separator: "\n") }

    /// `os.path.join(base, relative)` for a relative second part.
    static func join(_ base: String, _ relative: String) -> String {
        if base.isEmpty || base.hasSuffix("/") { return base + relative }
        return base + "/" + relative
    }
}
