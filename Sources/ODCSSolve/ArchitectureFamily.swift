/// The arches one compose arch takes, in Pungi's order (`pungi.dnf_wrapper.ArchWrapper`).
///
/// ``all`` is `get_valid_arches(basearch, multilib=True, add_noarch=True)`: the yum compatibility chain,
/// best first, ending in `noarch`. Its order is the arch score of `_get_best_package`. ``native`` drops the
/// multilib arches; ``multilib`` is `get_valid_multilib_arches`.
struct ArchitectureFamily: Sendable, Equatable {
    let all: [String]
    let native: [String]
    let multilib: [String]

    init(composeArch: String) {
        let yumArch = Self.yumArch(forBaseArch: Self.baseArch(of: composeArch))
        var all: [String] = []
        for arch in Self.compatibleArches(of: yumArch) where !all.contains(arch) {
            all.append(arch)
        }
        let multilib = Self.multilibArches(of: yumArch)
        if !all.contains("noarch") { all.append("noarch") }
        self.all = all
        self.multilib = multilib
        self.native = all.filter { !multilib.contains($0) }
    }

    /// Position in ``all``; arches outside it sort last.
    func score(of arch: String) -> Int { all.firstIndex(of: arch) ?? all.count }

    /// `pungi.arch_utils.arches`: each arch and the next-best arch it can also run.
    private static let nextBest: [String: String] = [
        "athlon": "i686", "i686": "i586", "geode": "i586", "i586": "i486", "i486": "i386", "i386": "noarch",
        "x86_64": "athlon", "amd64": "x86_64", "ia32e": "x86_64",
        "ppc64le": "noarch",
        "ppc64p7": "ppc64", "ppc64pseries": "ppc64", "ppc64iseries": "ppc64", "ppc64": "ppc", "ppc": "noarch",
        "s390x": "s390", "s390": "noarch",
        "sparc64v": "sparcv9v", "sparc64": "sparcv9", "sparcv9v": "sparcv9", "sparcv9": "sparcv8",
        "sparcv8": "sparc", "sparc": "noarch",
        "armv7l": "armv6l", "armv6l": "armv5tejl", "armv5tejl": "armv5tel", "armv5tel": "noarch",
        "armv7hnl": "armv7hl", "armv7hl": "armv6hl", "armv6hl": "noarch",
        "arm64": "noarch", "aarch64": "noarch",
        "sh4a": "sh4", "sh4": "noarch", "sh3": "noarch", "ia64": "noarch",
    ]

    /// `pungi.arch_utils.multilibArches` (with `_ppc64_native_is_best`): the compat arch of a biarch pair.
    private static let multilibCompat: [String: String] = [
        "x86_64": "athlon", "sparc64v": "sparcv9v", "sparc64": "sparcv9", "ppc64": "ppc", "s390x": "s390",
    ]

    /// `getArchList`: the arch and everything it can run, best first.
    private static func compatibleArches(of arch: String) -> [String] {
        var list = [arch]
        var current = arch
        while let next = nextBest[current] {
            list.append(next)
            current = next
        }
        if list.first == "sparc64v" { list.insert("sparc64", at: 1) }
        if list.count == 1 { list.append("noarch") }
        return list
    }

    /// `get_valid_multilib_arches`: the compat arch's chain without noarch, or nothing.
    private static func multilibArches(of yumArch: String) -> [String] {
        var current = yumArch
        while multilibCompat[current] == nil {
            guard let next = nextBest[current], next != "noarch" else { return [] }
            current = next
        }
        guard let compat = multilibCompat[current] else { return [] }
        return compatibleArches(of: compat).filter { $0 != "noarch" && $0 != "src" }
    }

    /// DNF's `basearch` for the arches a compose can name.
    private static func baseArch(of arch: String) -> String {
        switch arch {
        case "i386", "i486", "i586", "i686", "athlon", "geode": "i386"
        case "amd64", "ia32e": "x86_64"
        case "ppc64iseries", "ppc64p7", "ppc64pseries": "ppc64"
        case "armv7hnl", "armv7hl", "armv6hl": "armhfp"
        case "armv7l", "armv6l", "armv5tejl", "armv5tel": "arm"
        case "sparc64v", "sparc64", "sparcv9v", "sparcv9", "sparcv8": "sparc"
        default: arch
        }
    }

    /// `pungi.arch.tree_arch_to_yum_arch`.
    private static func yumArch(forBaseArch arch: String) -> String {
        switch arch {
        case "i386": "i686"
        case "sparc": "sparc64v"
        case "arm": "armv7l"
        case "armhfp": "armv7hnl"
        default: arch
        }
    }
}
