import Foundation
import ODCSCore
import ODCSGenerator
import ODCSTesting
import SystemPackage
import Testing

/// Without `koji_topdir`, dependencies are solved from Koji's repository of the tag, and only
/// the compose's own RPMs (and candidates the repository does not list) are downloaded.
extension KojiGeneratorTests {
    @Test func withoutTheVolumeOnlyTheComposesRPMsAreDownloadedWhenKojiHasARepositoryOfTheTag() async throws {
        let shared = try await Rig.shared.value
        var fixture = shared.fixture
        let repo = try await fixture.regenerateRepo(tag: "rig-tag", arches: ["x86_64"])
        // corge is tagged after the repository was made: its header must be downloaded and read.
        try await fixture.addBuild(FixturePackage("corge", arch: "noarch", requires: ["libbar"]), tags: ["rig-tag"])
        let requests = StaticFileServer.RequestLog()
        let data = fixture.data
        try await StaticFileServer.serving(fixture.topdir, requests: requests) { topurl in
            try await Rig.with(topurl: topurl) { rig, hub, generator, target in
                await hub.update { $0 = data }
                let context = try await Self.generate(
                    generator, Rig.compose(source: "rig-tag", packages: "foo corge", sigkeys: "\(rig.signer.sigkey) "), target: target)
                #expect(
                    Rig.files(context, "x86_64/os") == ["bar-2.0-1.x86_64.rpm", "corge-1.0-1.noarch.rpm", "foo-1.1-1.x86_64.rpm"])
                let shipped = Set(["x86_64/os", "x86_64/debug/tree", "source/tree"].flatMap { Rig.files(context, $0) })
                let downloaded = requests.paths.filter { $0.hasSuffix(".rpm") }.map { String($0.split(separator: "/").last!) }
                #expect(Set(downloaded) == shipped)
                #expect(downloaded.count == shipped.count)
                #expect(requests.paths.contains("/repos/rig-tag/\(repo)/x86_64/repodata/repomd.xml"))
            }
        }
    }

    /// With a header cache, Koji's repository metadata is downloaded and parsed once: the next
    /// compose reads the repository's snapshot, asks the web root for no metadata, and gives
    /// the same compose.
    @Test func kojisRepositoryMetadataIsReadOnceThroughTheHeaderCache() async throws {
        let shared = try await Rig.shared.value
        var fixture = shared.fixture
        let repo = try await fixture.regenerateRepo(tag: "rig-tag", arches: ["x86_64"])
        let repomd = "/repos/rig-tag/\(repo)/x86_64/repodata/repomd.xml"
        let requests = StaticFileServer.RequestLog()
        let data = fixture.data
        try await StaticFileServer.serving(fixture.topdir, requests: requests) { topurl in
            try await Rig.with(topurl: topurl) { rig, hub, generator, target in
                await hub.update { $0 = data }
                let cache = target.appending(".cache/headers")
                let sigkeys = "\(rig.signer.sigkey) "
                let first = try await Self.generate(
                    generator, Rig.compose(id: 1, source: "rig-tag", packages: "foo", sigkeys: sigkeys), target: target, headerCache: cache)
                let again = try await Self.generate(
                    generator, Rig.compose(id: 2, source: "rig-tag", packages: "foo", sigkeys: sigkeys), target: target, headerCache: cache)
                let contexts = [first, again]
                let asked = requests.paths.filter { $0 == repomd }.count
                #expect(asked == 1)
                let second = try Self.text(contexts[1].staging.appending("logs/global/odcs-koji.global.log"))
                #expect(second.contains("x86_64: from the header cache"))
                for tree in ["x86_64/os", "x86_64/debug/tree", "source/tree"] {
                    #expect(Rig.files(contexts[1], tree) == Rig.files(contexts[0], tree))
                }
                #expect(Rig.files(contexts[1], "x86_64/os") == ["bar-2.0-1.x86_64.rpm", "foo-1.1-1.x86_64.rpm"])
            }
        }
    }

    /// A package Koji's repository lists but the tag no longer holds at the compose's event is
    /// not a candidate: it satisfies nothing.
    @Test func aPackageOnlyKojisRepositoryStillListsSatisfiesNoDependency() async throws {
        let shared = try await Rig.shared.value
        var fixture = shared.fixture
        try await fixture.regenerateRepo(tag: "rig-tag", arches: ["x86_64"])
        let bar = fixture.data.build(nvr: "bar-2.0-1")!
        fixture.data.untagBuild(bar.id, from: "rig-base")
        let data = fixture.data
        try await StaticFileServer.serving(fixture.topdir) { topurl in
            try await Rig.with(topurl: topurl) { rig, hub, generator, target in
                await hub.update { $0 = data }
                let message = try await Self.failure(
                    generator, Rig.compose(source: "rig-tag", packages: "foo", flags: .checkDeps, sigkeys: "\(rig.signer.sigkey) "),
                    target: target)
                #expect(message.contains("foo-1.1-1.x86_64 requires libbar"), "\(message)")
            }
        }
    }
}
