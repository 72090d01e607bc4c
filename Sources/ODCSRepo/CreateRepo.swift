import SystemPackage

/// Runs `createrepo_c` on a tree, the way Pungi's CREATEREPO phase does: sha256 checksums,
/// checksummed metadata file names, no sqlite databases.
///
///     try await CreateRepo(workers: 2).run(in: tree, log: logs.appending("createrepo-Temporary.rpm.x86_64.log"))
public struct CreateRepo: Sendable {
    public var timeout: Duration
    /// createrepo_c's `--workers`: threads reading package headers.
    public var workers: Int
    /// `--revision`; createrepo_c writes the current time when nil.
    public var revision: String?
    /// The program, looked up in PATH unless it contains a slash.
    public var program: String
    /// A comps file, indexed into repodata as `group` (`--groupfile`).
    public var groupFile: FilePath?

    public init(timeout: Duration = .seconds(3600), workers: Int = 2, revision: String? = nil, program: String = "createrepo_c") {
        self.timeout = timeout
        self.workers = max(1, workers)
        self.revision = revision
        self.program = program
    }

    public func arguments(for directory: FilePath) -> [String] {
        var arguments = [
            program, directory.string, "--checksum=sha256", "--unique-md-filenames", "--no-database", "--workers=\(workers)",
        ]
        if let revision { arguments.append("--revision=\(revision)") }
        if let groupFile { arguments.append("--groupfile=\(groupFile.string)") }
        return arguments
    }

    /// Writes `<directory>/repodata`; throws `RepoError.commandFailed` naming the log.
    public func run(in directory: FilePath, log: FilePath) async throws {
        try await ExternalCommand(arguments(for: directory), log: log, timeout: timeout).run()
    }
}
