/// A requirement no package in the pool satisfies: Pungi logs it as `Unresolvable dependency <dep> in
/// <name>.<arch>` and, with `check_deps`, fails the compose.
public struct UnresolvedDependency: Sendable, Hashable {
    /// The package that requires it.
    public var package: SolverPackage
    /// The dependency as rpm spells it, e.g. `libbar >= 2.0`, `/usr/bin/sh` or `(a or b)`.
    public var dependency: String

    public init(package: SolverPackage, dependency: String) {
        self.package = package
        self.dependency = dependency
    }
}
