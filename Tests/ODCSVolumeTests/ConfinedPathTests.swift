import ODCSVolume
import SystemPackage
import Testing

@Suite struct ConfinedPathTests {
    let staging: ConfinedPath

    init() throws { staging = try ConfinedPath(root: "/srv/odcs/.staging/odcs-7-1") }

    @Test func joinsPlainComponentsBelowTheRoot() throws {
        let tree = try staging.appending("compose/Temporary/x86_64/os")
        #expect(tree.string == "/srv/odcs/.staging/odcs-7-1/compose/Temporary/x86_64/os")
        #expect(tree.components == ["compose", "Temporary", "x86_64", "os"])
        #expect(tree.name == "os")
        #expect(tree.parent?.string == "/srv/odcs/.staging/odcs-7-1/compose/Temporary/x86_64")
    }

    @Test(arguments: [
        "../../../odcs-9/compose", "..", ".", "a/../../b", "a/./b", "/etc/passwd", "a//b", "", "x86_64/", "a\u{0}b",
        String(repeating: "a", count: 256),
    ])
    func refusesAnythingButPlainComponents(_ relative: String) {
        #expect(throws: PathError.self) { try staging.appending(relative) }
        #expect(throws: PathError.self) { try staging.appending(components: [relative]) }
    }

    @Test func aComponentWithASlashIsRefusedEvenWhenPassedAlone() {
        #expect(throws: PathError.self) { try staging.appending(components: ["a/b"]) }
    }

    @Test func namesThatOnlyLookOddArePlain() throws {
        for name in ["..a", "a..", "...", ".hidden", "odcs-7.repo", "a b", "%2e%2e", "ü"] {
            #expect(try staging.appending(components: [name]).name == name)
        }
    }

    @Test func theRootIsNormalisedAndMustBeAbsolute() throws {
        #expect(try ConfinedPath(root: "/srv/./odcs/../odcs").root == "/srv/odcs")
        #expect(throws: PathError.self) { try ConfinedPath(root: "srv/odcs") }
    }

    @Test func rebasingKeepsTheRelativeComponents() throws {
        let published = try ConfinedPath(root: "/srv/odcs").appending("odcs-7")
        let log = try staging.appending("logs/global/odcs.log")
        let relative = try ConfinedPath(root: staging.path).appending(components: log.components)
        #expect(relative.rebased(onto: published).string == "/srv/odcs/odcs-7/logs/global/odcs.log")
    }
}
