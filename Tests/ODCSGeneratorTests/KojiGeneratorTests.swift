import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSKoji
import ODCSTesting
import SystemPackage
import Testing

/// Tag, build and pungi_compose composes against the Koji test hub, each case one Pungi was
/// observed on (pungi-koji-facts §A) or one the issue names.
@Suite struct KojiGeneratorTests {
    typealias Rig = KojiGeneratorRig

    static func generate(
        _ generator: KojiGenerator, _ compose: Compose, target: FilePath, headerCache: FilePath? = nil,
        kojiListingCache: FilePath? = nil
    ) async throws -> GenerationContext {
        let resolved = try await generator.resolve(compose, logger: Logger(label: "test"))
        let context = try Rig.context(resolved, target: target, headerCache: headerCache, kojiListingCache: kojiListingCache)
        _ = try await generator.generate(context)
        return context
    }

    static func failure(_ generator: KojiGenerator, _ compose: Compose, target: FilePath) async throws -> String {
        do {
            _ = try await generate(generator, compose, target: target)
        } catch let error as GeneratorError {
            return error.message
        }
        Issue.record("the compose was expected to fail")
        return ""
    }

    @Test func depsPullInTheProviderOfARequirement() async throws {
        try await Rig.with { _, _, generator, target in
            let context = try await Self.generate(generator, Rig.compose(source: "rig-tag", packages: "foo baz"), target: target)
            #expect(Rig.files(context, "x86_64/os") == ["bar-2.0-1.x86_64.rpm", "baz-0.1-1.noarch.rpm", "foo-1.1-1.x86_64.rpm"])
            #expect(Rig.files(context, "x86_64/debug/tree") == ["bar-debuginfo-2.0-1.x86_64.rpm"])
            #expect(Rig.files(context, "source/tree") == ["bar-2.0-1.src.rpm", "baz-0.1-1.src.rpm", "foo-1.1-1.src.rpm"])
            // The event was resolved and recorded with the work files, as Pungi's koji-event.
            #expect(context.compose.kojiEvent != nil)
            let event = try String(contentsOfFile: context.staging.appending("work/global/koji-event").string, encoding: .utf8)
            #expect(event.contains("\"id\": \(context.compose.kojiEvent!)"))
        }
    }

    /// The tree files and comps of real Pungi for the same request (`PungiTreeSamples`:
    /// odcs-1, foo and baz), byte for byte at the same time.
    @Test func treesGetPungisInstallFilesAndFilteredComps() async throws {
        try await Rig.with { _, _, generator, target in
            var generator = generator
            generator.now = { Date(timeIntervalSince1970: 1_796_580_643.162377) }
            let context = try await Self.generate(generator, Rig.compose(source: "rig-tag", packages: "foo baz"), target: target)
            let tree = { (path: String) in context.staging.appending("compose/Temporary/\(path)") }
            for name in [".treeinfo", ".discinfo", "media.repo"] {
                #expect(try Self.text(tree("x86_64/os/\(name)")) == PungiTreeSamples.text("with-packages/x86_64-os/\(name)"))
                // Pungi's source tree got its own, later time.
                let source = try PungiTreeSamples.text("with-packages/source-tree/\(name)")
                #expect(try Self.text(tree("source/tree/\(name)")) == source.replacingOccurrences(of: ".162748", with: ".162377"))
                #expect(!FileManager.default.fileExists(atPath: tree("x86_64/debug/tree/\(name)").string))
            }
            // Listed packages give Pungi's comps group in the os repodata, the same bytes.
            let repomd = try Self.text(tree("x86_64/os/repodata/repomd.xml"))
            #expect(repomd.contains(try #require(try PungiTreeSamples.groupChecksum("with-packages"))))
            #expect(!(try Self.text(tree("source/tree/repodata/repomd.xml"))).contains("comps"))
        }
    }

    static func text(_ path: FilePath) throws -> String {
        try String(contentsOfFile: path.string, encoding: .utf8)
    }

    @Test func noDepsTakesOnlyTheListedPackages() async throws {
        try await Rig.with { _, _, generator, target in
            let context = try await Self.generate(
                generator, Rig.compose(source: "rig-tag", packages: "foo baz", flags: .noDeps), target: target)
            #expect(Rig.files(context, "x86_64/os") == ["baz-0.1-1.noarch.rpm", "foo-1.1-1.x86_64.rpm"])
            #expect(Rig.files(context, "x86_64/debug/tree") == [])
        }
    }

    @Test func noInheritanceDropsInheritedBuildsAndCheckDepsFailsOnWhatIsLeftUnresolved() async throws {
        try await Rig.with { _, _, generator, target in
            let context = try await Self.generate(
                generator, Rig.compose(source: "rig-tag", packages: "foo", flags: .noInheritance), target: target)
            #expect(Rig.files(context, "x86_64/os") == ["foo-1.1-1.x86_64.rpm"])
            let log = try String(
                contentsOfFile: context.staging.appending("logs/global/odcs-koji.global.log").string, encoding: .utf8)
            #expect(log.contains("Unresolvable dependency: foo-1.1-1.x86_64 requires libbar"))

            let message = try await Self.failure(
                generator, Rig.compose(id: 2, source: "rig-tag", packages: "foo", flags: [.noInheritance, .checkDeps]), target: target)
            #expect(message == "Unresolvable dependencies in Temporary.x86_64: foo-1.1-1.x86_64 requires libbar")
        }
    }

    @Test func noPackagesTakesEveryLatestPackage() async throws {
        try await Rig.with { _, _, generator, target in
            let context = try await Self.generate(generator, Rig.compose(source: "rig-tag"), target: target)
            #expect(
                Rig.files(context, "x86_64/os") == [
                    "bar-2.0-1.x86_64.rpm", "baz-0.1-1.noarch.rpm", "foo-1.1-1.x86_64.rpm", "foo-devel-1.1-1.x86_64.rpm",
                    "qux-3.0-1.noarch.rpm",
                ])
            // No group: Pungi's empty comps, the same bytes.
            let repomd = try Self.text(context.staging.appending("compose/Temporary/x86_64/os/repodata/repomd.xml"))
            #expect(repomd.contains(try #require(try PungiTreeSamples.groupChecksum("without-packages"))))
        }
    }

    @Test func signedCopiesAreLinkedAndRecorded() async throws {
        try await Rig.with { rig, _, generator, target in
            let key = rig.signer.sigkey
            let context = try await Self.generate(
                generator, Rig.compose(source: "rig-tag", packages: "foo baz", flags: .noDeps, sigkeys: key), target: target)
            #expect(Rig.files(context, "x86_64/os") == ["baz-0.1-1.noarch.rpm", "foo-1.1-1.x86_64.rpm"])
            let linked = context.staging.appending("compose/Temporary/x86_64/os/Packages/f/foo-1.1-1.x86_64.rpm")
            let signed = rig.fixture.topdir.appending("packages/foo/1.1/1/data/signed/\(key)/x86_64/foo-1.1-1.x86_64.rpm")
            let inode = { (path: FilePath) in try FileManager.default.attributesOfItem(atPath: path.string)[.systemFileNumber] as? UInt64 }
            #expect(try inode(linked) == inode(signed))
            let rpms = try String(contentsOfFile: context.staging.appending("compose/metadata/rpms.json").string, encoding: .utf8)
            #expect(rpms.contains("\"sigkey\":\"\(key)\""))
            #expect(!rpms.contains("\"sigkey\":null"))
        }
    }

    @Test func aDependencyWithoutASignedCopyFailsNamingTheBuild() async throws {
        try await Rig.with { rig, _, generator, target in
            let key = rig.signer.sigkey
            let message = try await Self.failure(
                generator, Rig.compose(source: "rig-tag", packages: "foo baz", sigkeys: key), target: target)
            #expect(
                message
                    == "Error in gathering for Temporary.x86_64: RPM(s) not found for sigs: ('\(key)',). Check log for details. "
                    + "Unsigned packages:\nbar-2.0-1")
            // An empty key in the list allows unsigned files after the signed ones.
            let context = try await Self.generate(
                generator, Rig.compose(id: 2, source: "rig-tag", packages: "foo baz", sigkeys: "\(key) "), target: target)
            #expect(Rig.files(context, "x86_64/os") == ["bar-2.0-1.x86_64.rpm", "baz-0.1-1.noarch.rpm", "foo-1.1-1.x86_64.rpm"])
        }
    }

    @Test func aPinnedEventGivesTheTagAsItWasThen() async throws {
        try await Rig.with { _, hub, generator, target in
            let before = await hub.data.lastEvent
            await hub.update { data in data.untagBuild(data.build(nvr: "foo-1.1-1")!.id, from: "rig-tag") }
            let pinned = try await Self.generate(
                generator, Rig.compose(source: "rig-tag", packages: "foo", flags: .noDeps, event: before), target: target)
            #expect(pinned.compose.kojiEvent == before)
            #expect(Rig.files(pinned, "x86_64/os") == ["foo-1.1-1.x86_64.rpm"])
            let now = try await Self.generate(
                generator, Rig.compose(id: 2, source: "rig-tag", packages: "foo", flags: .noDeps), target: target)
            #expect(now.compose.kojiEvent == (await hub.data.lastEvent))
            #expect(Rig.files(now, "x86_64/os") == ["foo-1.0-1.x86_64.rpm"])
        }
    }

    @Test func reuseAsksKojiWhetherTheTagOrItsParentsChanged() async throws {
        try await Rig.with { _, hub, generator, _ in
            let logger = Logger(label: "test")
            let old = try await generator.resolve(Rig.compose(source: "rig-tag"), logger: logger)
            let new = try await generator.resolve(Rig.compose(id: 2, source: "rig-tag"), logger: logger)
            #expect(try await generator.isReusable(old, for: new, logger: logger))
            // A change in the parent tag rig-base makes the old compose stale.
            await hub.update { data in data.untagBuild(data.build(nvr: "qux-3.0-1")!.id, from: "rig-base") }
            #expect(try await !generator.isReusable(old, for: new, logger: logger))
            #expect(await !hub.calls(of: "tagChangedSinceEvent").isEmpty)
        }
    }

    @Test func multilibAddsTheOtherArchOnlyWhenAsked() async throws {
        try await Rig.with { _, _, generator, target in
            var compose = Rig.compose(source: "rig-multilib", packages: "libmulti")
            let plain = try await Self.generate(generator, compose, target: target)
            #expect(Rig.files(plain, "x86_64/os") == ["libmulti-1.0-1.x86_64.rpm"])
            compose.id = 2
            compose.multilibArches = "x86_64"
            compose.multilibMethod = 1  // runtime
            let multilib = try await Self.generate(generator, compose, target: target)
            #expect(Rig.files(multilib, "x86_64/os") == ["libmulti-1.0-1.i686.rpm", "libmulti-1.0-1.x86_64.rpm"])
        }
    }

    /// docs/header-cache.md: the first compose with a header cache reads the headers and leaves a
    /// snapshot, the next reads none; both give exactly the RPMs and repodata of a compose
    /// without the cache (deps and runtime multilib, which reads file lists, over signed copies).
    @Test func theHeaderCacheGivesTheSameComposeWithoutReadingHeadersTwice() async throws {
        try await Rig.with { rig, hub, generator, target in
            await hub.update { data in
                data.addTag("rig-cached", parents: ["rig-tag", "rig-multilib"])
            }
            let cache = target.appending(".cache/headers")
            var composes: [GenerationContext] = []
            for (id, headerCache) in [(1, nil), (2, cache), (3, cache)] as [(Int64, FilePath?)] {
                var compose = Rig.compose(id: id, source: "rig-cached", packages: "foo baz libmulti", sigkeys: rig.signer.sigkey + " ")
                compose.multilibArches = "x86_64"
                compose.multilibMethod = 1  // runtime
                composes.append(try await Self.generate(generator, compose, target: target, headerCache: headerCache))
            }
            let logs = try composes.map { try Self.text($0.staging.appending("logs/global/odcs-koji.global.log")) }
            #expect(!logs[0].contains("Header cache:"))
            let cold = try #require(logs[1].firstMatch(of: /Header cache: (\d+) of (\d+) RPM headers read/))
            #expect(Int(cold.1)! > 0 && cold.1 == cold.2)
            let warm = try #require(logs[2].firstMatch(of: /Header cache: (\d+) of (\d+) RPM headers read/))
            #expect(warm.1 == "0" && warm.2 == cold.2)
            #expect(logs[2].matches(of: /Header cache: [1-9]/).isEmpty)

            let trees = ["x86_64/os", "x86_64/debug/tree", "source/tree"]
            let expected = trees.map { Rig.files(composes[0], $0) }
            #expect(expected[0].contains("libmulti-1.0-1.i686.rpm") && expected[0].contains("bar-2.0-1.x86_64.rpm"))
            for context in composes.dropFirst() {
                #expect(trees.map { Rig.files(context, $0) } == expected)
                for tree in trees {
                    #expect(try Self.primaryChecksum(context, tree) == Self.primaryChecksum(composes[0], tree))
                }
            }
            // Snapshots are named by content and left whole: no temporary files.
            let left = FileManager.default.enumerator(atPath: cache.string)?.compactMap { $0 as? String } ?? []
            #expect(left.contains { $0.hasSuffix(".solv") } && !left.contains { $0.contains(".tmp-") })
        }
    }

    /// Header metadata is read once per RPM, not once per package set: after the tag changes,
    /// a compose reads only the headers its family's last full snapshot lacks (kept in a delta
    /// snapshot for the next compose), and packages of that snapshot the tag no longer holds
    /// provide nothing.
    @Test func aTagThatChangedReadsOnlyTheHeadersItsLastSnapshotLacks() async throws {
        try await Rig.with { rig, hub, generator, target in
            await hub.update { data in data.addTag("rig-changing", parents: ["rig-tag", "rig-multilib"]) }
            let cache = target.appending(".cache/headers")
            let pattern = /Header cache: (\d+) of (\d+) RPM headers read/
            func compose(_ id: Int64, _ packages: String, cached: Bool = true) async throws -> (GenerationContext, Int, Int) {
                var compose = Rig.compose(id: id, source: "rig-changing", packages: packages, sigkeys: rig.signer.sigkey + " ")
                compose.multilibArches = "x86_64"
                compose.multilibMethod = 1
                let context = try await Self.generate(generator, compose, target: target, headerCache: cached ? cache : nil)
                let log = try Self.text(context.staging.appending("logs/global/odcs-koji.global.log"))
                guard let match = log.firstMatch(of: pattern) else { return (context, -1, -1) }
                return (context, Int(match.1)!, Int(match.2)!)
            }
            let (_, firstRead, firstTotal) = try await compose(1, "foo baz")
            #expect(firstRead == firstTotal && firstRead > 4)

            // modpkg (noarch) joins the tag: one new header.
            await hub.update { data in data.tagBuild(data.build(nvr: "modpkg-1.0-1.module_rig")!.id, into: "rig-changing") }
            let (grown, grownRead, grownTotal) = try await compose(2, "foo baz modpkg")
            #expect(grownRead == 1 && grownTotal == firstTotal + 1)
            let (uncached, _, _) = try await compose(3, "foo baz modpkg", cached: false)
            for tree in ["x86_64/os", "x86_64/debug/tree", "source/tree"] {
                #expect(Rig.files(grown, tree) == Rig.files(uncached, tree))
                #expect(try Self.primaryChecksum(grown, tree) == Self.primaryChecksum(uncached, tree))
            }
            #expect(Rig.files(grown, "x86_64/os").contains("modpkg-1.0-1.module_rig.noarch.rpm"))
            let (_, againRead, againTotal) = try await compose(4, "foo baz modpkg")
            #expect(againRead == 0 && againTotal == grownTotal)

            // bar leaves the tag: its package in the base snapshot must not satisfy foo's libbar.
            await hub.update { data in _ = data.untagBuild(data.build(nvr: "bar-2.0-1")!.id, from: "rig-base") }
            let (shrunk, shrunkRead, _) = try await compose(5, "foo modpkg")
            #expect(shrunkRead == 0)
            #expect(Rig.files(shrunk, "x86_64/os") == ["foo-1.1-1.x86_64.rpm", "modpkg-1.0-1.module_rig.noarch.rpm"])
        }
    }

    /// A tag's listing at an event is asked of the hub once: the next compose at that event reads
    /// it from the listing cache and gives the same compose; a compose at a later event (the tag
    /// changed) asks again and sees the change.
    @Test func aTagListingIsAskedOnceAtAnEventAndAgainAtANewOne() async throws {
        try await Rig.with { _, hub, generator, target in
            let cache = target.appending(".cache/koji")
            func listings() async -> Int { await hub.calls(of: "listTaggedRPMS").count }
            let first = try await Self.generate(
                generator, Rig.compose(source: "rig-tag", packages: "foo baz", flags: .noDeps), target: target, kojiListingCache: cache)
            let asked = await listings()
            #expect(asked == 1)
            let second = try await Self.generate(
                generator, Rig.compose(id: 2, source: "rig-tag", packages: "foo baz", flags: .noDeps, event: first.compose.kojiEvent),
                target: target, kojiListingCache: cache)
            #expect(await listings() == asked, "the same tag at the same event is not asked again")
            #expect(Rig.files(second, "x86_64/os") == Rig.files(first, "x86_64/os"))
            #expect(Rig.files(second, "source/tree") == Rig.files(first, "source/tree"))
            #expect(try Self.text(second.staging.appending("logs/global/odcs-koji.global.log")).contains("latest builds (listing cache)"))

            await hub.update { data in data.untagBuild(data.build(nvr: "foo-1.1-1")!.id, from: "rig-tag") }
            let third = try await Self.generate(
                generator, Rig.compose(id: 3, source: "rig-tag", packages: "foo", flags: .noDeps), target: target, kojiListingCache: cache)
            #expect(await listings() == asked + 1)
            #expect(Rig.files(first, "x86_64/os").contains("foo-1.1-1.x86_64.rpm"))
            #expect(Rig.files(third, "x86_64/os") == ["foo-1.0-1.x86_64.rpm"])
            let left = FileManager.default.enumerator(atPath: cache.string)?.compactMap { $0 as? String } ?? []
            #expect(left.filter { $0.hasSuffix(".listing") }.count == 2 && !left.contains { $0.contains(".tmp-") })
        }
    }

    /// The SHA-256 of a tree's uncompressed primary.xml, from its repomd.xml.
    static func primaryChecksum(_ context: GenerationContext, _ tree: String) throws -> String {
        let repomd = try text(context.staging.appending("compose/Temporary/\(tree)/repodata/repomd.xml"))
        let primary = try #require(repomd.firstRange(of: "<data type=\"primary\">").map { repomd[$0.upperBound...] })
        return String(try #require(primary.firstMatch(of: /<open-checksum type="sha256">([0-9a-f]+)</)).1)
    }

    @Test func buildSourceTakesTheListedBuilds() async throws {
        try await Rig.with { _, _, generator, target in
            var compose = Rig.compose(type: .build, source: "", packages: "foo")
            compose.builds = "foo-1.0-1 bar-2.0-1"
            let context = try await Self.generate(generator, compose, target: target)
            #expect(Rig.files(context, "x86_64/os") == ["bar-2.0-1.x86_64.rpm", "foo-1.0-1.x86_64.rpm"])
            compose.id = 2
            compose.builds = "foo-1.0-1 nope-1-1"
            let message = try await Self.failure(generator, compose, target: target)
            #expect(message == "Koji build(s) not found: nope-1-1.")
        }
    }

    @Test func pungiComposeSourceTakesTheRPMsOfAnotherCompose() async throws {
        try await Rig.with { rig, _, generator, target in
            let first = try await Self.generate(
                generator, Rig.compose(source: "rig-tag", packages: "foo baz", sigkeys: "\(rig.signer.sigkey) "), target: target)
            try await StaticFileServer.serving(first.staging) { url in
                var compose = Rig.compose(id: 2, type: .pungiCompose, source: "\(url)/compose/Temporary")
                compose.arches = nil
                let resolved = try await generator.resolve(compose, logger: Logger(label: "test"))
                #expect(resolved.builds == "bar-2.0-1 baz-0.1-1 foo-1.1-1")
                #expect(resolved.packages == "bar bar-debuginfo baz foo")
                #expect(resolved.arches == "x86_64")
                #expect(resolved.sigkeys == "\(rig.signer.sigkey) ")
                let second = try await Self.generate(generator, compose, target: target)
                #expect(Rig.files(second, "x86_64/os") == Rig.files(first, "x86_64/os"))
            }
        }
    }

    @Test func aKojiFaultOrAnUnknownTagFailsWithTheReason() async throws {
        try await Rig.with { _, hub, generator, target in
            let unknown = try await Self.failure(generator, Rig.compose(source: "nope"), target: target)
            #expect(unknown == "Unknown Koji tag nope.")
            await hub.fail("listTaggedRPMS", message: "database connection lost")
            let fault = try await Self.failure(generator, Rig.compose(id: 2, source: "rig-tag", event: 3), target: target)
            #expect(fault == "Koji error: database connection lost")
        }
    }

    @Test func aCorruptRPMFailsTheComposeNamingTheFile() async throws {
        try await Rig.with { _, _, generator, target in
            let message = try await Self.failure(generator, Rig.compose(source: "rig-broken", packages: "broken"), target: target)
            #expect(message.contains("broken-1.0-1.noarch.rpm"))
            let nodeps = try await Self.failure(
                generator, Rig.compose(id: 2, source: "rig-broken", packages: "broken", flags: .noDeps), target: target)
            #expect(nodeps.contains("broken-1.0-1.noarch.rpm is not a valid RPM"))
        }
    }

    @Test func downloadsFromTheKojiTopURLWhenTheVolumeIsNotMounted() async throws {
        let rig = try await Rig.shared.value
        try await StaticFileServer.serving(rig.fixture.topdir) { topurl in
            try await Rig.with(topurl: topurl) { rig, _, generator, target in
                let key = rig.signer.sigkey
                let context = try await Self.generate(
                    generator, Rig.compose(source: "rig-tag", packages: "foo baz", sigkeys: "\(key) "), target: target)
                #expect(Rig.files(context, "x86_64/os") == ["bar-2.0-1.x86_64.rpm", "baz-0.1-1.noarch.rpm", "foo-1.1-1.x86_64.rpm"])
                let rpms = try String(contentsOfFile: context.staging.appending("compose/metadata/rpms.json").string, encoding: .utf8)
                #expect(rpms.contains("\"sigkey\":\"\(key)\""))
                #expect(rpms.contains("\"sigkey\":null"))
            }
        }
    }
}

extension KojiGeneratorTests {
    /// The lookaside repository is an HTTP repository holding bar (Provides libbar).
    @Test func aLookasideRepositorySatisfiesATagComposesDependencies() async throws {
        try await Rig.with { rig, _, generator, target in
            let repo = rig.root.appending("lookaside-\(UUID().uuidString.prefix(8))")
            try await FixtureRPMs.repository(at: repo, packages: [FixturePackage("bar", version: "2.0", provides: ["libbar"])])
            try await StaticFileServer.serving(repo) { url in
                var compose = Rig.compose(source: "rig-tag", packages: "foo", flags: [.noInheritance, .checkDeps])
                compose.lookasideRepos = url
                let context = try await Self.generate(generator, compose, target: target)
                #expect(Rig.files(context, "x86_64/os") == ["foo-1.1-1.x86_64.rpm"])
            }
        }
    }
}

extension KojiGeneratorTests {
    @Test func aKojiHubThatDoesNotAnswerInTimeFailsTheCompose() async throws {
        try await Rig.with { _, hub, generator, target in
            await hub.stall("listTaggedRPMS", for: .seconds(30))
            var impatient = generator
            // Long enough for the calls that answer on a loaded machine, short against the stall.
            impatient.koji.configuration.timeout = .seconds(5)
            let message = try await Self.failure(impatient, Rig.compose(source: "rig-tag", event: 3), target: target)
            #expect(message.hasPrefix("Koji hub unreachable: listTaggedRPMS on http://127.0.0.1:"))
        }
    }
}
