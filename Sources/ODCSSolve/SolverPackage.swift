/// One package the solver knows, identified by the caller's repository id and its NEVRA.
///
/// Values come out of ``DependencySolver`` (from `addCandidates`) and go back into it through
/// ``ClosureRequest/initial``; the solver finds a package again by `repository` and ``nevra``.
public struct SolverPackage: Sendable, Hashable {
    /// The id the caller gave the repository the package was read from.
    public var repository: Int
    public var name: String
    public var epoch: Int
    public var version: String
    public var release: String
    public var arch: String
    /// File name of the source RPM, e.g. `foo-1.0-1.src.rpm`; nil for a source RPM itself.
    public var sourceRPM: String?

    public init(
        repository: Int, name: String, epoch: Int, version: String, release: String, arch: String, sourceRPM: String?
    ) {
        self.repository = repository
        self.name = name
        self.epoch = epoch
        self.version = version
        self.release = release
        self.arch = arch
        self.sourceRPM = sourceRPM
    }

    /// `name-epoch:version-release.arch` with the epoch always written, as productmd's rpms.json keys are.
    public var nevra: String { "\(name)-\(epoch):\(version)-\(release).\(arch)" }

    /// Whether this is a source package (`src` or `nosrc`), which is never a binary provider.
    public var isSource: Bool { arch == "src" || arch == "nosrc" }
}
