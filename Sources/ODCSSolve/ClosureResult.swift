/// The packages a closure chose, and what it could not or need not copy.
///
/// Every list is sorted by ``SolverPackage/nevra`` (then repository, then dependency text), so the same
/// pool and request always give the same result.
public struct ClosureResult: Sendable {
    /// Chosen packages from candidate repositories only; these are the ones the compose links.
    public var packages: [SolverPackage]
    /// Requirements of chosen packages that nothing provides.
    public var unresolved: [UnresolvedDependency]
    /// Chosen packages that live in a lookaside repository: they satisfy requirements but are not copied,
    /// and their own requirements are not followed (Pungi's `lookaside` flag).
    public var fromLookaside: [SolverPackage]
    /// Initial packages the pool does not hold as binary packages for this arch (unknown, source or
    /// debuginfo packages, or another arch); they are left out of the closure.
    public var rejectedInitial: [SolverPackage]

    public init(
        packages: [SolverPackage], unresolved: [UnresolvedDependency], fromLookaside: [SolverPackage],
        rejectedInitial: [SolverPackage] = []
    ) {
        self.packages = packages
        self.unresolved = unresolved
        self.fromLookaside = fromLookaside
        self.rejectedInitial = rejectedInitial
    }
}
