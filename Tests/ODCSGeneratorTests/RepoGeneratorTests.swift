import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSRepo
import ODCSTesting
import SystemPackage
import Testing

@Suite struct RepoGeneratorTests {
    @Test func allPackagesLandInPungisLayout() async throws {
        try await RepoGeneratorRig.with { rig in
            let context = try rig.context(rig.compose(source: "\(rig.a) \(rig.b)", arches: "x86_64 ppc64le"))
            let result = try await rig.generator().generate(context)
            let variant = context.staging.appending("compose/Temporary")

            #expect(
                RepoGeneratorRig.rpms(under: variant.appending("x86_64/os")) == [
                    "Packages/b/bar-2.0-1.noarch.rpm", "Packages/f/foo-1.1-1.x86_64.rpm", "Packages/f/foo-devel-1.1-1.x86_64.rpm",
                    "Packages/q/qux-3.0-1.noarch.rpm",
                ])
            #expect(RepoGeneratorRig.rpms(under: variant.appending("x86_64/debug/tree")) == ["Packages/f/foo-debuginfo-1.1-1.x86_64.rpm"])
            #expect(
                RepoGeneratorRig.rpms(under: variant.appending("ppc64le/os")) == [
                    "Packages/b/bar-2.0-1.noarch.rpm", "Packages/q/qux-3.0-1.noarch.rpm",
                ])
            #expect(RepoGeneratorRig.rpms(under: variant.appending("ppc64le/debug/tree")).isEmpty)
            #expect(
                RepoGeneratorRig.rpms(under: variant.appending("source/tree")) == [
                    "Packages/b/bar-2.0-1.src.rpm", "Packages/f/foo-1.1-1.src.rpm", "Packages/q/qux-3.0-1.src.rpm",
                ])

            // Every tree is a repository that lists exactly its files.
            let reader = RepositoryReader(workDirectory: rig.root.appending("read-back"))
            for tree in ["x86_64/os", "x86_64/debug/tree", "ppc64le/os", "ppc64le/debug/tree", "source/tree"] {
                let repository = try await reader.read(.directory(variant.appending(tree)))
                #expect(repository.packages.map(\.href).sorted() == RepoGeneratorRig.rpms(under: variant.appending(tree)), "\(tree)")
            }

            // Local packages on the same filesystem are hard links.
            let linked = try FileManager.default.attributesOfItem(
                atPath: variant.appending("x86_64/os/Packages/q/qux-3.0-1.noarch.rpm").string)
            let original = try FileManager.default.attributesOfItem(atPath: rig.b.appending("qux-3.0-1.noarch.rpm").string)
            #expect(linked[.systemFileNumber] as? UInt64 == original[.systemFileNumber] as? UInt64)

            let id = try #require(result.pungiComposeID)
            #expect(id.hasPrefix("odcs-1-1-") && id.hasSuffix(".t.0"))
            #expect(try RepoGeneratorRig.text(context.staging.appending("COMPOSE_ID")) == id)
            #expect(try RepoGeneratorRig.text(context.staging.appending("STATUS")) == "FINISHED\n")
            let stepLog = try RepoGeneratorRig.text(context.staging.appending("logs/global/odcs-repo.global.log"))
            #expect(stepLog.contains("[INFO    ] Compose finished: \(id)"))
            #expect(
                FileManager.default.fileExists(atPath: context.staging.appending("logs/x86_64/createrepo-Temporary.rpm.x86_64.log").string))
        }
    }

    @Test func listedPackagesBringTheirDebugAndSourcePackagesOnly() async throws {
        try await RepoGeneratorRig.with { rig in
            let context = try rig.context(rig.compose(source: "\(rig.a) \(rig.b)", packages: "foo bar"))
            _ = try await rig.generator().generate(context)
            let variant = context.staging.appending("compose/Temporary")
            #expect(
                RepoGeneratorRig.rpms(under: variant.appending("x86_64/os")) == [
                    "Packages/b/bar-2.0-1.noarch.rpm", "Packages/f/foo-1.1-1.x86_64.rpm",
                ])
            #expect(RepoGeneratorRig.rpms(under: variant.appending("x86_64/debug/tree")) == ["Packages/f/foo-debuginfo-1.1-1.x86_64.rpm"])
            #expect(
                RepoGeneratorRig.rpms(under: variant.appending("source/tree")) == [
                    "Packages/b/bar-2.0-1.src.rpm", "Packages/f/foo-1.1-1.src.rpm",
                ])
        }
    }

    @Test func missingRequestedPackagesFailWithUpstreamsMessage() async throws {
        try await RepoGeneratorRig.with { rig in
            let context = try rig.context(rig.compose(source: rig.a.string, packages: "foo zzz qux aaa"))
            let error = await #expect(throws: GeneratorError.self) { try await rig.generator().generate(context) }
            #expect(
                error?.message == "The following requested packages are not present in the generated compose: aaa qux zzz.")
            #expect(try RepoGeneratorRig.text(context.staging.appending("STATUS")) == "DOOMED\n")
        }
    }

    @Test func repoFilePointsAtTheResultRepository() async throws {
        try await RepoGeneratorRig.with { rig in
            let served = try rig.context(rig.compose(id: 5, source: rig.a.string))
            _ = try await rig.generator().generate(served)
            let text = try RepoGeneratorRig.text(served.staging.appending("compose/Temporary/odcs-5.repo"))
            #expect(text == RepoFile(name: "odcs-5", resultRepoURL: "http://localhost/odcs/odcs-5/compose/Temporary").text)
            #expect(text.contains("baseurl=http://localhost/odcs/odcs-5/compose/Temporary/$basearch/os\n"))

            let unserved = try rig.context(rig.compose(id: 6, source: rig.a.string), targetDirURL: "")
            _ = try await rig.generator().generate(unserved)
            let relative = try RepoGeneratorRig.text(unserved.staging.appending("compose/Temporary/odcs-6.repo"))
            #expect(relative.contains("baseurl=$basearch/os\n"))
        }
    }

    /// productmd is what upstream's validation and other tools load composes with.
    @Test func metadataLoadsWithProductmd() async throws {
        try await RepoGeneratorRig.with { rig in
            var compose = rig.compose(source: "\(rig.a) \(rig.b)", packages: "foo bar")
            compose.composeType = "nightly"
            let context = try rig.context(compose)
            let result = try await rig.generator().generate(context)
            let script = """
                import sys, productmd.compose
                c = productmd.compose.Compose(sys.argv[1])
                print(c.info.compose.id)
                print(" ".join(c.info.variants["Temporary"].arches))
                rpms = c.rpms.rpms["Temporary"]["x86_64"]
                for srpm in sorted(rpms):
                    for rpm in sorted(rpms[srpm]):
                        print(srpm, rpm, rpms[srpm][rpm]["category"], rpms[srpm][rpm]["path"])
                """
            let output = rig.root.appending("productmd.out")
            let log = rig.root.appending("productmd.log")
            try await ExternalCommand(["python3", "-c", script, context.staging.string], log: log, timeout: .seconds(120))
                .run(standardOutputTo: output)
            let lines = try RepoGeneratorRig.text(output).split(separator: "\n").map(String.init)
            #expect(lines.first == result.pungiComposeID)
            #expect(result.pungiComposeID?.hasSuffix(".n.0") == true)
            #expect(
                Array(lines.dropFirst()) == [
                    "x86_64",
                    "bar-0:2.0-1.src bar-0:2.0-1.noarch binary Temporary/x86_64/os/Packages/b/bar-2.0-1.noarch.rpm",
                    "bar-0:2.0-1.src bar-0:2.0-1.src source Temporary/source/tree/Packages/b/bar-2.0-1.src.rpm",
                    "foo-0:1.1-1.src foo-0:1.1-1.src source Temporary/source/tree/Packages/f/foo-1.1-1.src.rpm",
                    "foo-0:1.1-1.src foo-0:1.1-1.x86_64 binary Temporary/x86_64/os/Packages/f/foo-1.1-1.x86_64.rpm",
                    "foo-0:1.1-1.src foo-debuginfo-0:1.1-1.x86_64 debug Temporary/x86_64/debug/tree/Packages/f/foo-debuginfo-1.1-1.x86_64.rpm",
                ])
        }
    }

    @Test func readsAndDownloadsFromAnHTTPRepository() async throws {
        try await RepoGeneratorRig.with { rig in
            try await StaticFileServer.serving(rig.repos) { baseURL in
                let context = try rig.context(rig.compose(source: "\(baseURL)/b", packages: "qux foo"))
                _ = try await rig.generator().generate(context)
                let variant = context.staging.appending("compose/Temporary")
                let downloaded = variant.appending("x86_64/os/Packages/q/qux-3.0-1.noarch.rpm")
                #expect(
                    FileManager.default.contentsEqual(atPath: downloaded.string, andPath: rig.b.appending("qux-3.0-1.noarch.rpm").string))
                #expect(
                    RepoGeneratorRig.rpms(under: variant.appending("x86_64/os")) == [
                        "Packages/f/foo-1.1-1.x86_64.rpm", "Packages/q/qux-3.0-1.noarch.rpm",
                    ])
            }
        }
    }

    @Test func localSourceOutsideTheAllowedRootsIsRefused() async throws {
        try await RepoGeneratorRig.with { rig in
            let generator = RepoGenerator(configuration: .init(localRoots: [rig.b]))
            let context = try rig.context(rig.compose(source: rig.a.string))
            let error = await #expect(throws: GeneratorError.self) { try await generator.generate(context) }
            #expect(error?.message == "Repository \(rig.a) is not inside an allowed local directory (repo_source_roots).")
            // A symlink inside the root that leads out of it is refused too.
            try FileManager.default.createSymbolicLink(atPath: rig.b.appending("escape").string, withDestinationPath: rig.a.string)
            let viaLink = try rig.context(rig.compose(id: 2, source: rig.b.appending("escape").string))
            await #expect(throws: GeneratorError.self) { try await generator.generate(viaLink) }
        }
    }

    @Test func relativeSourceIsRefused() async throws {
        try await TemporaryDirectory.with { dir in
            let rig = RepoGeneratorRig(root: dir)
            let error = await #expect(throws: GeneratorError.self) {
                try await rig.generator().generate(try rig.context(rig.compose(source: "repos/a")))
            }
            #expect(error?.message == "Repository repos/a is neither an absolute path nor an http(s) URL.")
        }
    }

    @Test func resolveTakesKojiEventFromASingleRepositorysRevision() async throws {
        try await RepoGeneratorRig.with { rig in
            let resolved = try await rig.generator().resolve(rig.compose(source: rig.a.string), logger: Logger(label: "test"))
            #expect(resolved.kojiEvent == 1_496_834_159)

            var several = rig.compose(source: "\(rig.a) \(rig.b)")
            several.kojiEvent = 7
            #expect(try await rig.generator().resolve(several, logger: Logger(label: "test")).kojiEvent == 7)
        }
    }

    @Test func cancelledGenerationStopsWithCancellationError() async throws {
        try await RepoGeneratorRig.with { rig in
            let context = try rig.context(rig.compose(source: rig.a.string))
            let generator = rig.generator()
            let task = Task { try await generator.generate(context) }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try RepoGeneratorRig.text(context.staging.appending("STATUS")) == "DOOMED\n")
        }
    }
}
