/// What one closure computes: the packages the compose asks for and how Pungi would widen them.
public struct ClosureRequest: Sendable {
    /// Packages the compose wants. The caller picks them (Pungi's `add_initial_packages` takes the newest
    /// of each requested name for the arch and noarch); the solver takes them as given.
    public var initial: [SolverPackage]
    /// False is Pungi's `nodeps`: the result is `initial` plus multilib counterparts the methods select.
    public var resolveDependencies: Bool
    /// Pungi's `greedy_method = "build"`: with a dependency, also take the other providers built from the
    /// same source RPM as the best one.
    public var greedyBuild: Bool = true
    /// Empty, or only ``MultilibMethod/none``, adds no multilib packages unless a whitelist names them.
    public var multilibMethods: Set<MultilibMethod> = []
    /// Globs (fnmatch) of package names that always get their multilib counterpart (Pungi `multilib_whitelist`).
    public var multilibWhitelist: [String] = []
    /// Globs of package names that never do; their multilib builds are also hidden from dependency
    /// resolution, as Pungi's `_apply_excludes` does (Pungi `multilib_blacklist`).
    public var multilibBlacklist: [String] = []

    public init(
        initial: [SolverPackage], resolveDependencies: Bool, greedyBuild: Bool = true,
        multilibMethods: Set<MultilibMethod> = [], multilibWhitelist: [String] = [], multilibBlacklist: [String] = []
    ) {
        self.initial = initial
        self.resolveDependencies = resolveDependencies
        self.greedyBuild = greedyBuild
        self.multilibMethods = multilibMethods
        self.multilibWhitelist = multilibWhitelist
        self.multilibBlacklist = multilibBlacklist
    }
}
