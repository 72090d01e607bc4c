import CLibsolv

extension GatherRun {
    /// Pungi's `add_multilib_packages`: for each chosen native binary package, its multilib-arch build of
    /// the same version-release (the best one by arch, e.g. i686 before i586) joins when
    /// ``MultilibPolicy`` says so. The new package's requirements are then resolved by the next pass with
    /// the ordinary rules: Pungi does not prefer multilib providers, it relies on 32-bit requirements
    /// (`libc.so.6`, without `()(64bit)`) having only 32-bit providers.
    func addMultilibPackages() -> Bool {
        var added = false
        for id in chosen.sorted(by: nameThenArch) where !multilibSettled.contains(id) {
            let arch = universe.arch(of: id)
            if arch.isNoarch || arch.isMultilibArch {
                markMultilibSettled(id)
                continue
            }
            for build in bestPackages(universe.multilibBuilds(of: id), forRequirement: false)
            where multilib.isMultilib(subject(build)) {
                if choose(build) { added = true }
                // Pungi settles only packages that got a multilib build; others are asked again each pass.
                markMultilibSettled(id)
            }
        }
        return added
    }

    private func subject(_ id: Id) -> MultilibPolicy.Subject {
        let pool = universe.pool
        return MultilibPolicy.Subject(
            name: pool.name(of: id), arch: pool.arch(of: id),
            provideNames: { pool.provides(of: id).map { Self.leadingWord(pool.dependencyText($0)) } },
            files: { pool.files(of: id) })
    }

    /// python-multilib reads a DNF provide's name as `str(reldep).split()[0]`.
    private static func leadingWord(_ text: String) -> String {
        String(text.split(separator: " ", maxSplits: 1).first ?? "")
    }

    /// Pungi sorts hawkey packages (by name, then version and arch); load order breaks any tie.
    private func nameThenArch(_ lhs: Id, _ rhs: Id) -> Bool {
        let pool = universe.pool
        let (lhsName, rhsName) = (pool.name(of: lhs), pool.name(of: rhs))
        if lhsName != rhsName { return lhsName.unicodeScalars.lexicographicallyPrecedes(rhsName.unicodeScalars) }
        let order = pool.compareEVR(lhs, rhs)
        if order != 0 { return order < 0 }
        let (lhsArch, rhsArch) = (pool.arch(of: lhs), pool.arch(of: rhs))
        if lhsArch != rhsArch { return lhsArch < rhsArch }
        return lhs < rhs
    }
}
