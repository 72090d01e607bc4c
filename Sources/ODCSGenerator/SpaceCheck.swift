import Logging
import SystemPackage

/// Asked by a generator once it knows how many bytes it is about to place on the volume and
/// before it places any of them: the worker's answer (`ComposeSpace` in ODCSServices) makes
/// room by removing old composes early when it can, and throws a `GeneratorError` naming the
/// shortfall when it cannot, so that a compose that does not fit fails at once instead of
/// half-way through with "No space left on device".
///
/// Calls add up: a generator that places files in two steps (a Koji pool downloaded for the
/// solver, then the compose's packages) asks for each step's bytes.
public protocol SpaceCheck: Sendable {
    func ensure(bytes: UInt64, for purpose: String, logger: Logger) async throws
}

/// The repodata, logs and metadata a native compose writes besides its packages: small next
/// to them. The allowance (per tree, and per package) is above what createrepo_c wrote for
/// the fixture composes (docs/operations.md, "The shared volume fills up").
enum MetadataAllowance {
    static let perTree: UInt64 = 256 * 1024
    static let perPackage: UInt64 = 4 * 1024

    static func bytes(trees: Int, packages: Int) -> UInt64 { UInt64(trees) * perTree + UInt64(packages) * perPackage }
}
