import ODCSRepo
import ODCSTesting
import Testing

/// The comps file against real Pungi's (`PungiTreeSamples`), byte for byte, and the rules of
/// Pungi's rewrite the samples do not show.
@Suite struct FilteredCompsTests {
    @Test func odcsGroupIsPungisFilteredCopy() throws {
        let comps = FilteredComps.odcsGroup(packages: ["foo", "baz"])
        #expect(comps.xml == (try PungiTreeSamples.text("with-packages/x86_64-os/comps-Temporary.x86_64.xml")))
        // The bytes createrepo_c indexed in Pungi's repodata.
        #expect(PungiTreeSamples.sha256(comps.xml) == (try PungiTreeSamples.groupChecksum("with-packages")))
    }

    @Test func noPackagesLeaveAnEmptyComps() throws {
        let comps = FilteredComps.odcsGroup(packages: [])
        #expect(comps.groups.isEmpty)
        #expect(comps.xml == (try PungiTreeSamples.text("without-packages/x86_64-os/comps-Temporary.x86_64.xml")))
        #expect(PungiTreeSamples.sha256(comps.xml) == (try PungiTreeSamples.groupChecksum("without-packages")))
    }

    @Test func packagesAreSortedByCodePointWithDuplicatesKeptAndTextEscaped() {
        let comps = FilteredComps.odcsGroup(packages: ["foo", "Zed", "a&b<c>\"d", "foo", "éclair", "bar"])
        let lines = comps.xml.split(separator: "\n").filter { $0.contains("packagereq") }
        #expect(
            lines == [
                #"      <packagereq type="mandatory">Zed</packagereq>"#,
                #"      <packagereq type="mandatory">a&amp;b&lt;c&gt;&quot;d</packagereq>"#,
                #"      <packagereq type="mandatory">bar</packagereq>"#,
                #"      <packagereq type="mandatory">foo</packagereq>"#,
                #"      <packagereq type="mandatory">foo</packagereq>"#,
                #"      <packagereq type="mandatory">éclair</packagereq>"#,
            ])
    }

    @Test func groupsAreSortedByIdAndAnEmptyOneIsDropped() {
        let group = { (id: String, packages: [String]) in
            FilteredComps.Group(id: id, name: id, description: "", isDefault: false, userVisible: false, packages: packages)
        }
        let comps = FilteredComps(groups: [group("b", ["y"]), group("empty", []), group("a", ["x"])])
        #expect(comps.groups.map(\.id) == ["b", "a"])
        #expect(
            comps.xml == """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE comps
                  PUBLIC '-//Red Hat, Inc.//DTD Comps info//EN'
                  'comps.dtd'>
                <comps>
                  <group>
                    <id>a</id>
                    <name>a</name>
                    <description/>
                    <default>false</default>
                    <uservisible>false</uservisible>
                    <packagelist>
                      <packagereq type="mandatory">x</packagereq>
                    </packagelist>
                  </group>
                  <group>
                    <id>b</id>
                    <name>b</name>
                    <description/>
                    <default>false</default>
                    <uservisible>false</uservisible>
                    <packagelist>
                      <packagereq type="mandatory">y</packagereq>
                    </packagelist>
                  </group>
                </comps>

                """)
    }
}
