import CLibsolv

/// One run of Pungi's `Gather.gather` loop (`pungi/gather_dnf.py`) for binary packages.
///
/// Each pass first resolves requirements of packages not yet processed (`add_binary_package_deps`); only
/// when that adds nothing does it add multilib counterparts (`add_multilib_packages`), and any addition
/// starts a new pass, until a pass adds nothing. Comps conditional packages, fulltree, langpacks, source
/// and debuginfo packages are the caller's (or unused by ODCS) and have no effect on this set.
///
/// Deviation: Pungi walks its result in Python set order; this walks it by solvable id (load order), the
/// nearest deterministic order (hawkey hashes a package by its id).
final class GatherRun {
    let universe: GatherUniverse
    let greedyBuild: Bool
    let multilib: MultilibPolicy

    /// `result_binary_packages`.
    private(set) var chosen: Set<Id> = []
    /// `unresolved`, as Pungi's "Unresolvable dependency" warnings: (package, dependency).
    private(set) var unresolved: [(package: Id, dependency: Id)] = []
    /// `finished_add_binary_package_deps`.
    private var processed: Set<Id> = []
    /// `finished_add_multilib_packages`, for packages whose multilib question is settled.
    private(set) var multilibSettled: Set<Id> = []
    /// `finished_get_package_deps_reqs`: the first answer for a dependency is reused for every later package
    /// that requires the same text, even if the result set has changed since.
    private var answers: [Id: [Id]] = [:]

    init(universe: GatherUniverse, request: ClosureRequest) {
        self.universe = universe
        self.greedyBuild = request.greedyBuild
        self.multilib = MultilibPolicy(
            methods: request.multilibMethods, whitelist: request.multilibWhitelist, blacklist: request.multilibBlacklist)
    }

    func run(initial: [Id], resolveDependencies: Bool) {
        // add_initial_packages picks every input before any is added, so none sees another as chosen.
        let picked = initial.flatMap { bestPackages([$0] + universe.lookasideTwins(of: $0), forRequirement: false) }
        chosen.formUnion(picked)
        while true {
            if resolveDependencies && addBinaryPackageDeps() { continue }
            if addMultilibPackages() { continue }
            break
        }
    }

    func markMultilibSettled(_ id: Id) { multilibSettled.insert(id) }

    /// Adds a package to the result; false when it was already there.
    func choose(_ id: Id) -> Bool { chosen.insert(id).inserted }

    /// `add_binary_package_deps`: one pass over the packages chosen before the pass began.
    private func addBinaryPackageDeps() -> Bool {
        var added = false
        for id in chosen.sorted() where !processed.contains(id) {
            for dependency in packageDeps(id) where chosen.insert(dependency).inserted {
                added = true
            }
            processed.insert(id)
        }
        return added
    }

    /// `_get_package_deps`: the providers chosen for each requirement of one package.
    private func packageDeps(_ id: Id) -> [Id] {
        // Pungi does not follow requirements of lookaside packages: that repository is complete on its own.
        guard !universe.isLookaside(id) else { return [] }
        var result: [Id] = []
        for requirement in universe.pool.requirements(of: id) {
            if let known = answers[requirement], !known.isEmpty {
                result.append(contentsOf: known)
                continue
            }
            if universe.pool.dependencyText(requirement).hasPrefix("rpmlib(") { continue }
            let providers = universe.providers(of: requirement)
            guard !providers.isEmpty else {
                unresolved.append((id, requirement))
                continue
            }
            let best = bestPackages(providers, forRequirement: true)
            answers[requirement] = best
            result.append(contentsOf: best)
        }
        return result
    }
}
