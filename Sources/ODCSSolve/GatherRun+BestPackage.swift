import CLibsolv

extension GatherRun {
    /// Pungi's `_get_best_package` for greedy methods "none" and "build".
    ///
    /// 1. A package whose name-epoch:version-release is also in a lookaside repository is dropped in favour
    ///    of the lookaside copy.
    /// 2. The first non-empty of: chosen native, chosen multilib, native, multilib providers. Noarch counts
    ///    as both native and multilib.
    /// 3. The best of those by `all_arches` index, then shortest name, then name. The arch is the primary
    ///    key (Pungi sorts by name, by length, then by arch, each sort stable): an x86_64 provider beats a
    ///    noarch one with a shorter name.
    /// 4. With greedy "build" and a requirement, every provider on the winner's side (native or multilib)
    ///    built from the same source RPM, the winner included — even when the winner was already chosen.
    func bestPackages(_ packages: [Id], forRequirement: Bool) -> [Id] {
        guard !packages.isEmpty else { return [] }
        let shadowed = Set(packages.filter(universe.isLookaside).map(nameEVR))
        let candidates = packages.filter { universe.isLookaside($0) || !shadowed.contains(nameEVR($0)) }
        let native = candidates.filter { universe.arch(of: $0).isNative }
        let multilib = candidates.filter { universe.arch(of: $0).isMultilibSide }
        let tiers = [native.filter(chosen.contains), multilib.filter(chosen.contains), native, multilib]
        guard let tier = tiers.first(where: { !$0.isEmpty }), let match = tier.min(by: ranksBefore) else { return [] }
        guard greedyBuild && forRequirement else { return [match] }
        let side = universe.arch(of: match).isNative ? native : multilib
        let source = universe.pool.sourceRPM(of: match)
        return side.filter { universe.pool.sourceRPM(of: $0) == source }.sorted()
    }

    private func nameEVR(_ id: Id) -> [Id] {
        let s = universe.pool.solvable(id).pointee
        return [s.name, s.evr]
    }

    /// Arch index, name length, name (by code point, as Python compares str), then load order for a tie
    /// between identical packages in two candidate repositories, which Python leaves to set order.
    private func ranksBefore(_ lhs: Id, _ rhs: Id) -> Bool {
        let (lhsScore, rhsScore) = (universe.arch(of: lhs).score, universe.arch(of: rhs).score)
        if lhsScore != rhsScore { return lhsScore < rhsScore }
        let (lhsName, rhsName) = (universe.pool.name(of: lhs), universe.pool.name(of: rhs))
        if lhsName.unicodeScalars.count != rhsName.unicodeScalars.count {
            return lhsName.unicodeScalars.count < rhsName.unicodeScalars.count
        }
        if lhsName != rhsName { return lhsName.unicodeScalars.lexicographicallyPrecedes(rhsName.unicodeScalars) }
        return lhs < rhs
    }
}
