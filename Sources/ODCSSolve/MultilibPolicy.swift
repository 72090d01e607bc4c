/// Pungi's `multilib_dnf.Multilib.is_multilib`: whether a multilib-arch package (e.g. i686 on x86_64)
/// joins the compose next to its native build.
///
/// Order of tests, as Pungi: the blacklist refuses, the whitelist accepts, then each method in turn.
/// The methods are python-multilib's built with `config=None`, so their own white and black lists are empty.
struct MultilibPolicy {
    /// What the policy needs to know about one package; files are read only if a method looks at them.
    struct Subject {
        var name: String
        var arch: String
        var provideNames: () -> [String]
        var files: () -> [String]
    }

    let methods: [MultilibMethod]
    let whitelist: [Glob]
    let blacklist: [Glob]

    init(methods: Set<MultilibMethod>, whitelist: [String], blacklist: [String]) {
        // A fixed order keeps the result independent of Set iteration; the first match only names a reason.
        self.methods = MultilibMethod.allCases.filter(methods.contains)
        self.whitelist = whitelist.map(Glob.init)
        self.blacklist = blacklist.map(Glob.init)
    }

    func isMultilib(_ subject: Subject) -> Bool {
        if blacklist.matchAny(subject.name) { return false }
        if whitelist.matchAny(subject.name) { return true }
        return methods.contains { selects($0, subject) }
    }

    private func selects(_ method: MultilibMethod, _ subject: Subject) -> Bool {
        switch method {
        case .none: false
        case .all: true
        case .runtime: selectsRuntime(subject)
        case .devel: selectsDevel(subject)
        }
    }

    /// python-multilib `MultilibMethod.select`: 64-bit debuggers and kernels. Only reachable when the
    /// multilib arch itself contains "64", which no Pungi multilib arch does; kept so the rules stay whole.
    private static let prefer64: Set<String> = ["gdb", "frysk", "systemtap", "systemtap-runtime", "ltrace", "strace"]

    private func selectsBase(_ subject: Subject) -> Bool {
        guard subject.arch.contains("64") else { return false }
        if Self.prefer64.contains(subject.name) { return true }
        return subject.name.hasPrefix("kernel")
            && subject.provideNames().contains { $0 == "kernel" || $0 == "kernel-devel" }
    }

    private func selectsRuntime(_ subject: Subject) -> Bool {
        if selectsBase(subject) { return true }
        if subject.name.hasPrefix("kernel") && subject.provideNames().contains("kernel") { return false }
        return RuntimeLibraryRules.selects(files: subject.files())
    }

    private func selectsDevel(_ subject: Subject) -> Bool {
        if selectsRuntime(subject) { return true }
        if subject.name.hasPrefix("ghc-") { return false }
        if subject.name.hasPrefix("kernel") {
            // python-multilib walks the provides in order and stops at the first decisive one.
            for provided in subject.provideNames() {
                if provided == "kernel-devel" { return false }
                if provided.hasSuffix("-devel") || provided.hasSuffix("-static") { return true }
            }
        }
        return subject.name.hasSuffix("-devel") || subject.name.hasSuffix("-static")
    }
}
