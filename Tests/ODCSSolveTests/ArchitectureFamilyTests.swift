import Testing

@testable import ODCSSolve

@Suite struct ArchitectureFamilyTests {
    @Test func x86_64ListsPungiArchesBestFirst() {
        let family = ArchitectureFamily(composeArch: "x86_64")
        #expect(family.all == ["x86_64", "athlon", "i686", "i586", "i486", "i386", "noarch"])
        #expect(family.native == ["x86_64", "noarch"])
        #expect(family.multilib == ["athlon", "i686", "i586", "i486", "i386"])
    }

    @Test(arguments: [
        ("aarch64", ["aarch64", "noarch"], [String]()),
        ("ppc64le", ["ppc64le", "noarch"], []),
        ("s390x", ["s390x", "s390", "noarch"], ["s390"]),
        ("ppc64", ["ppc64", "ppc", "noarch"], ["ppc"]),
        ("i686", ["i686", "i586", "i486", "i386", "noarch"], []),
        ("i386", ["i686", "i586", "i486", "i386", "noarch"], []),
    ])
    func otherArches(arch: String, all: [String], multilib: [String]) {
        let family = ArchitectureFamily(composeArch: arch)
        #expect(family.all == all)
        #expect(family.multilib == multilib)
    }
}
