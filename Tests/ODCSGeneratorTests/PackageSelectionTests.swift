import ODCSGenerator
import ODCSRepo
import Testing

@Suite struct PackageSelectionTests {
    static func rpm(_ name: String, _ version: String, _ arch: String, source: String? = nil, epoch: Int = 0) -> RepoPackage {
        let evr = RPMVersion(epoch: epoch, version: version, release: "1")
        let file = "\(name)-\(version)-1.\(arch).rpm"
        return RepoPackage(
            name: name, evr: evr, arch: arch, href: file, checksum: PackageChecksum(type: "sha256", value: "00"), size: 1,
            sourceRPM: arch == "src" ? nil : "\(source ?? name)-\(version)-1.src.rpm")
    }

    static let first = Repository(
        location: .directory("/repos/a"), index: RepoMetadataIndex(revision: "1", entries: [:]),
        packages: [
            rpm("foo", "1.0", "x86_64"), rpm("foo", "1.0", "src"), rpm("foo-debuginfo", "1.0", "x86_64", source: "foo"),
            rpm("bar", "2.0", "noarch"), rpm("bar", "2.0", "src"),
            rpm("baz", "1.0", "ppc64le"),
        ])
    static let second = Repository(
        location: .url("http://mirror/b"), index: RepoMetadataIndex(revision: "2", entries: [:]),
        packages: [
            rpm("foo", "1.10", "x86_64"), rpm("foo", "1.10", "src"), rpm("foo-debuginfo", "1.10", "x86_64", source: "foo"),
            rpm("foo-devel", "1.10", "x86_64", source: "foo"),
            rpm("bar", "2.0", "noarch"),
        ])

    static func nevras(_ selection: PackageSelection, in tree: PackageSelection.Tree) -> [String] {
        selection.items.filter { $0.tree == tree }.map(\.package.nevra).sorted()
    }

    @Test func takesTheNewestVersionOfEachNameAcrossRepositories() {
        let selection = PackageSelection(repositories: [Self.first, Self.second], names: [], arches: ["x86_64"])
        #expect(
            Self.nevras(selection, in: .os(arch: "x86_64")) == ["bar-0:2.0-1.noarch", "foo-0:1.10-1.x86_64", "foo-devel-0:1.10-1.x86_64"])
        #expect(Self.nevras(selection, in: .debug(arch: "x86_64")) == ["foo-debuginfo-0:1.10-1.x86_64"])
        #expect(Self.nevras(selection, in: .source) == ["bar-0:2.0-1.src", "foo-0:1.10-1.src"])
        #expect(selection.missing.isEmpty)
    }

    @Test func firstRepositoryWinsForTheSamePackage() {
        let selection = PackageSelection(repositories: [Self.first, Self.second], names: ["bar"], arches: ["x86_64"])
        let bar = selection.items.first { $0.package.nevra == "bar-0:2.0-1.noarch" }
        #expect(bar?.repository == .directory("/repos/a"))
    }

    @Test func noarchPackagesGoIntoEveryArchTree() {
        let selection = PackageSelection(repositories: [Self.first], names: ["bar", "baz"], arches: ["x86_64", "ppc64le"])
        #expect(Self.nevras(selection, in: .os(arch: "x86_64")) == ["bar-0:2.0-1.noarch"])
        #expect(Self.nevras(selection, in: .os(arch: "ppc64le")) == ["bar-0:2.0-1.noarch", "baz-0:1.0-1.ppc64le"])
        // One source RPM, although two arch trees use it.
        #expect(Self.nevras(selection, in: .source) == ["bar-0:2.0-1.src"])
    }

    @Test func listedPackagesBringTheirBuildsDebugPackagesButNotSiblings() {
        let selection = PackageSelection(repositories: [Self.first, Self.second], names: ["foo"], arches: ["x86_64"])
        #expect(Self.nevras(selection, in: .os(arch: "x86_64")) == ["foo-0:1.10-1.x86_64"])
        #expect(Self.nevras(selection, in: .debug(arch: "x86_64")) == ["foo-debuginfo-0:1.10-1.x86_64"])
        #expect(Self.nevras(selection, in: .source) == ["foo-0:1.10-1.src"])
    }

    @Test func missingNamesAreSortedIncludingThoseOnlyBuiltForOtherArches() {
        let selection = PackageSelection(repositories: [Self.first], names: ["zzz", "foo", "baz", "aaa"], arches: ["x86_64"])
        #expect(selection.missing == ["aaa", "baz", "zzz"])
    }

    @Test func sourceOnlyNamesDoNotCountAsPresent() {
        let onlySource = Repository(
            location: .directory("/r"), index: RepoMetadataIndex(revision: nil, entries: [:]), packages: [Self.rpm("qux", "1", "src")])
        #expect(PackageSelection(repositories: [onlySource], names: ["qux"], arches: ["x86_64"]).missing == ["qux"])
    }

    @Test func packagesAreHashedByTheirFirstLetter() {
        let item = PackageSelection.Item(package: Self.rpm("Zsh", "5", "x86_64"), repository: .directory("/r"), tree: .os(arch: "x86_64"))
        #expect(item.pathInTree == "Packages/z/Zsh-5-1.x86_64.rpm")
        #expect(PackageSelection.Tree.debug(arch: "aarch64").path == "aarch64/debug/tree")
    }
}
