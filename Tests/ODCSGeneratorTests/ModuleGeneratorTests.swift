import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSKoji
import ODCSRepo
import ODCSTesting
import SystemPackage
import Testing

/// Module composes end to end: modules resolved through the MBS test server, their RPMs
/// (built with rpmbuild) from their Koji tags on the Koji test hub, and modular repodata that
/// dnf reads.
@Suite struct ModuleGeneratorTests {
    /// Two module tags on a Koji volume: `testmodule` (modfoo with its debuginfo, modbar, and a
    /// stray build that is tagged but is no artifact) and `testdep` (moddep), which testmodule
    /// requires at runtime; modules with x86_64 and i686 artifacts, and an old module build
    /// without per-arch modulemd archives. Every module build has its archives under `files/module/`.
    struct Rig: Sendable {
        let root: FilePath
        let fixture: KojiFixture

        static let shared = Task { try await Rig.make() }
        static let moduleTag = "module-testmodule-master-1-00000000"
        static let depTag = "module-testdep-1-1-00000000"

        static func make() async throws -> Rig {
            let root = try TemporaryDirectory.make(prefix: "module-rig")
            var koji = try KojiFixture(topdir: root.appending("koji"))
            koji.data.addTag(moduleTag)
            koji.data.addTag(depTag)
            let release = "1.module_f26"
            try await koji.addBuild(
                FixturePackage("modfoo", release: release, arch: "x86_64", requires: ["moddep"], subpackages: ["debuginfo"]),
                tags: [moduleTag])
            try await koji.addBuild(FixturePackage("modbar", version: "2.0", release: release), tags: [moduleTag])
            try await koji.addBuild(FixturePackage("stray", release: release), tags: [moduleTag])
            try await koji.addBuild(FixturePackage("moddep", release: release), tags: [depTag])
            // Modular Koji tags: testmodule's latest version (hiding an older one) in
            // modular-f26, testdep inherited from modular-base; and a plain tag to compose with them.
            koji.data.addTag(modularBaseTag)
            koji.data.addTag(modularTag, parents: [modularBaseTag])
            koji.data.addTag(plainTag)
            try await koji.addBuild(FixturePackage("plain"), tags: [plainTag])
            // Two modules with x86_64 and i686 artifacts, in no modular tag: mlib's x86_64
            // modulemd lists its i686 package too (multilib), iart's does not.
            for (name, package) in [("multilib", "mlib"), ("i686art", "iart")] {
                koji.data.addTag("module-\(name)-1-1-00000000")
                try await koji.addBuild(
                    FixturePackage(package, release: release, arch: "x86_64"), arches: ["x86_64", "i686"],
                    tags: ["module-\(name)-1-1-00000000"])
            }
            for module in modules + [olderTestmodule] {
                guard module.kojiTag != nil else { continue }
                let tags = ["multilib", "i686art"].contains(module.name) ? [] : [module.name == "testdep" ? modularBaseTag : modularTag]
                try koji.addModuleBuild(module, perArch: module.name != "oldmod", tags: tags)
            }
            return Rig(root: root, fixture: koji)
        }

        static let modularTag = "modular-f26"
        static let modularBaseTag = "modular-base"
        static let plainTag = "f26-build"
        /// An older version of testmodule, also tagged in modular-f26: never composed.
        static let olderTestmodule = MBSTestServer.Module(
            name: "testmodule", stream: "master", version: 0, kojiTag: moduleTag, requires: ["testdep": ["1"]],
            artifacts: ["modbar-0:2.0-1.module_f26.noarch"], baseModuleStream: "f26")

        static let modules: [MBSTestServer.Module] = [
            .init(
                name: "testmodule", stream: "master", version: 1, kojiTag: moduleTag, requires: ["testdep": ["1"]],
                artifacts: [
                    "modfoo-0:1.0-1.module_f26.x86_64", "modfoo-debuginfo-0:1.0-1.module_f26.x86_64", "modfoo-0:1.0-1.module_f26.src",
                    "modbar-0:2.0-1.module_f26.noarch", "modbar-0:2.0-1.module_f26.src",
                ], baseModuleStream: "f26"),
            .init(
                name: "testdep", stream: "1", version: 1, kojiTag: depTag,
                artifacts: ["moddep-0:1.0-1.module_f26.noarch", "moddep-0:1.0-1.module_f26.src"], baseModuleStream: "f26"),
            .init(name: "untagged", stream: "1", version: 1, baseModuleStream: "f26"),
            .init(
                name: "multilib", stream: "1", version: 1, kojiTag: "module-multilib-1-1-00000000",
                artifacts: ["mlib-0:1.0-1.module_f26.x86_64", "mlib-0:1.0-1.module_f26.i686", "mlib-0:1.0-1.module_f26.src"],
                baseModuleStream: "f26", multilibArches: ["x86_64": ["i686"]]),
            .init(
                name: "i686art", stream: "1", version: 1, kojiTag: "module-i686art-1-1-00000000",
                artifacts: ["iart-0:1.0-1.module_f26.x86_64", "iart-0:1.0-1.module_f26.i686", "iart-0:1.0-1.module_f26.src"],
                baseModuleStream: "f26"),
            // An old build with a single modulemd file (no per-arch archives), tagged in modular-f26.
            .init(
                name: "oldmod", stream: "1", version: 1, kojiTag: depTag, artifacts: ["moddep-0:1.0-1.module_f26.noarch"],
                baseModuleStream: "f26"),
        ]

        /// The hub and MBS serving the rig, and a module generator over them; `body` gets a
        /// fresh target dir.
        static func with(_ body: @Sendable (Rig, ModuleGenerator, FilePath) async throws -> Void) async throws {
            let rig = try await shared.value
            let hub = KojiTestHub(data: rig.fixture.data)
            try await hub.serving { kojiURL in
                try await MBSTestServer(modules: modules).serving { mbsURL in
                    try await TemporaryDirectory.with(prefix: "module-target", in: rig.root) { target in
                        let koji = KojiClient(configuration: .init(url: kojiURL, timeout: .seconds(10), maxRetries: 0))
                        let generator = ModuleGenerator(
                            configuration: .init(mbsURL: mbsURL),
                            koji: KojiGenerator(configuration: .init(topdir: rig.fixture.topdir, topurl: nil), koji: koji))
                        try await body(rig, generator, target)
                    }
                }
            }
        }
    }

    static func compose(_ source: String, id: Int64 = 1) -> Compose {
        var compose = Compose(
            id: id, owner: "me", sourceType: .module, source: source, state: .generating, results: .repository, flags: [],
            timeToExpire: Date(timeIntervalSinceNow: 3600), timeSubmitted: Date())
        compose.arches = "x86_64"
        return compose
    }

    static func generate(_ generator: ModuleGenerator, _ compose: Compose, target: FilePath) async throws -> GenerationContext {
        let resolved = try await generator.resolve(compose, logger: Logger(label: "test"))
        let context = try KojiGeneratorRig.context(resolved, target: target)
        _ = try await generator.generate(context)
        return context
    }

    /// A git repository of module defaults: testmodule's (stream master, profile default) and
    /// another module's, which the compose must leave out. Returns "<url> <commit>".
    static func defaultsRepository(in directory: FilePath) async throws -> String {
        let repository = directory.appending("defaults.git")
        try FileManager.default.createDirectory(atPath: repository.string, withIntermediateDirectories: true)
        try """
        ---
        document: modulemd-defaults
        version: 1
        data:
          module: testmodule
          stream: master
          profiles:
            master: [default]
        ...
        """.write(toFile: repository.appending("testmodule.yaml").string, atomically: true, encoding: .utf8)
        try """
        ---
        document: modulemd-defaults
        version: 1
        data:
          module: othermodule
          stream: "2"
        ...
        """.write(toFile: repository.appending("othermodule.yaml").string, atomically: true, encoding: .utf8)
        let log = directory.appending("git.log")
        func git(_ arguments: [String]) async throws {
            try await ExternalCommand(
                ["git", "-c", "user.name=ODCS Test", "-c", "user.email=test@odcs.invalid"] + arguments, log: log, timeout: .seconds(60),
                workingDirectory: repository
            ).run()
        }
        // A link in the repository to a file of the machine that generates: never read.
        let outside = directory.appending("outside-defaults.yaml")
        try """
        ---
        document: modulemd-defaults
        version: 1
        data:
          module: testmodule
          stream: leaked
        ...
        """.write(toFile: outside.string, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: repository.appending("zleak.yaml").string, withDestinationPath: outside.string)
        try await git(["init", "--quiet"])
        try await git(["add", "testmodule.yaml", "othermodule.yaml", "zleak.yaml"])
        try await git(["commit", "--quiet", "-m", "defaults"])
        let head = directory.appending("head.txt")
        try await ExternalCommand(["git", "rev-parse", "HEAD"], log: log, timeout: .seconds(60), workingDirectory: repository)
            .run(standardOutputTo: head)
        let commit = try String(contentsOfFile: head.string, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return "file://\(repository.string) \(commit)"
    }

    @Test func composesTheArtifactsOfTheModulesAndTheirRequirementsWithModularMetadata() async throws {
        try await Rig.with { _, generator, target in
            var compose = Self.compose("testmodule:master")
            compose.moduleDefaultsURL = try await Self.defaultsRepository(in: target)
            let context = try await Self.generate(generator, compose, target: target)
            #expect(context.compose.source == "testdep:1:1:00000000 testmodule:master:1:00000000")
            #expect(
                KojiGeneratorRig.files(context, "x86_64/os") == [
                    "modbar-2.0-1.module_f26.noarch.rpm", "moddep-1.0-1.module_f26.noarch.rpm", "modfoo-1.0-1.module_f26.x86_64.rpm",
                ])
            #expect(KojiGeneratorRig.files(context, "x86_64/debug/tree") == ["modfoo-debuginfo-1.0-1.module_f26.x86_64.rpm"])
            #expect(
                KojiGeneratorRig.files(context, "source/tree") == [
                    "modbar-2.0-1.module_f26.src.rpm", "moddep-1.0-1.module_f26.src.rpm", "modfoo-1.0-1.module_f26.src.rpm",
                ])
            let os = context.staging.appending("compose/Temporary/x86_64/os")
            let repomd = try String(contentsOfFile: os.appending("repodata/repomd.xml").string, encoding: .utf8)
            #expect(repomd.contains("<data type=\"modules\">"))
            // Pungi writes the install tree files for module composes too.
            #expect(try String(contentsOfFile: os.appending(".treeinfo").string, encoding: .utf8).contains("[variant-Temporary]"))
            let yaml = try String(contentsOfFile: context.staging.appending("work/x86_64/module/modules.yaml").string, encoding: .utf8)
            #expect(yaml.contains("module: testmodule") && !yaml.contains("othermodule") && !yaml.contains("leaked"))
            // modules.json: each module with its Koji tag, its binary artifacts in the arch's
            // os tree, and the repodata file that describes it.
            let modules = try Self.modulesJSON(context)
            #expect(modules.keys.sorted() == ["testdep:1:1:00000000", "testmodule:master:1:00000000"])
            let testmodule = try #require(modules["testmodule:master:1:00000000"] as? [String: Any])
            // As Pungi lists them: every artifact of the module's x86_64 modulemd, source RPMs too.
            #expect(
                testmodule["rpms"] as? [String] == [
                    "modbar-0:2.0-1.module_f26.noarch", "modbar-0:2.0-1.module_f26.src", "modfoo-0:1.0-1.module_f26.src",
                    "modfoo-0:1.0-1.module_f26.x86_64", "modfoo-debuginfo-0:1.0-1.module_f26.x86_64",
                ])
            #expect((testmodule["metadata"] as? [String: Any])?["koji_tag"] as? String == Rig.moduleTag)
            let path = try #require((testmodule["modulemd_path"] as? [String: Any])?["binary"] as? String)
            #expect(path.hasPrefix("Temporary/x86_64/os/repodata/") && path.contains("modules.yaml"))
            #expect(FileManager.default.fileExists(atPath: context.staging.appending("compose/\(path)").string))

            // dnf reads the modular metadata: both modules, testmodule's default stream and profile.
            let listing = try await Self.dnfModuleList(os, work: target.appending("dnf"))
            let lines = listing.split(separator: "\n").map {
                $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            }
            #expect(lines.contains { $0.hasPrefix("testmodule master [d] default [d]") }, "\(listing)")
            #expect(lines.contains { $0.hasPrefix("testdep 1 default") }, "\(listing)")
        }
    }

    /// A tag compose with `modular_koji_tags` (Pungi's hybrid gather): the tag's packages plus
    /// every artifact of the latest modules in the modular tags, and their modular metadata.
    @Test func tagComposeWithModularKojiTagsAddsTheTaggedModules() async throws {
        try await Rig.with { _, generator, target in
            var compose = Self.compose(Rig.plainTag)
            compose.sourceType = .tag
            compose.modularKojiTags = Rig.modularTag
            compose.moduleDefaultsURL = try await Self.defaultsRepository(in: target)
            let resolved = try await generator.koji.resolve(compose, logger: Logger(label: "test"))
            let context = try KojiGeneratorRig.context(resolved, target: target)
            _ = try await generator.koji.generate(context)
            #expect(
                KojiGeneratorRig.files(context, "x86_64/os") == [
                    "modbar-2.0-1.module_f26.noarch.rpm", "moddep-1.0-1.module_f26.noarch.rpm", "modfoo-1.0-1.module_f26.x86_64.rpm",
                    "plain-1.0-1.noarch.rpm",
                ])
            #expect(KojiGeneratorRig.files(context, "x86_64/debug/tree") == ["modfoo-debuginfo-1.0-1.module_f26.x86_64.rpm"])
            let yaml = try String(contentsOfFile: context.staging.appending("work/x86_64/module/modules.yaml").string, encoding: .utf8)
            #expect(yaml.components(separatedBy: "name: testmodule\n").count == 2, "only the latest version: \(yaml)")
            #expect(yaml.contains("name: testdep\n") && yaml.contains("module: testmodule") && !yaml.contains("othermodule"))
            // The old build in modular-f26 without per-arch modulemd is skipped, as Pungi skips it.
            #expect(!yaml.contains("oldmod") && yaml.contains("arch: x86_64\n"))
            let listing = try await Self.dnfModuleList(
                context.staging.appending("compose/Temporary/x86_64/os"), work: target.appending("dnf"))
            #expect(listing.contains("testmodule") && listing.contains("testdep"), "\(listing)")
        }
    }

    /// Reuse of such a compose ends when a modular tag changes, not only the tag itself.
    @Test func aChangeInAModularTagEndsReuse() async throws {
        let rig = try await Rig.shared.value
        let hub = KojiTestHub(data: rig.fixture.data)
        try await hub.serving { url in
            let koji = KojiClient(configuration: .init(url: url, timeout: .seconds(10), maxRetries: 0))
            let generator = KojiGenerator(configuration: .init(topdir: rig.fixture.topdir, topurl: nil), koji: koji)
            var compose = Self.compose(Rig.plainTag)
            compose.sourceType = .tag
            compose.modularKojiTags = Rig.modularTag
            let earlier = try await generator.resolve(compose, logger: Logger(label: "test"))
            #expect(try await generator.isReusable(earlier, for: compose, logger: Logger(label: "test")))
            await hub.update { data in
                let id = data.addModuleBuild(
                    name: "testdep", stream: "2", version: 1, context: "00000000", modulemd: "", contentTag: Rig.depTag)
                data.tagBuild(id, into: Rig.modularBaseTag)
            }
            #expect(try await !generator.isReusable(earlier, for: compose, logger: Logger(label: "test")))
            let later = try await generator.resolve(compose, logger: Logger(label: "test"))
            #expect((later.kojiEvent ?? 0) > (earlier.kojiEvent ?? 0))
        }
    }

    /// A module compose with `modular_koji_tags` resolves from Koji, not the MBS (upstream's
    /// `depsolve_modules`): the latest version in the tags, requirements always added.
    @Test func moduleComposeWithModularKojiTagsResolvesFromTheTags() async throws {
        try await Rig.with { _, generator, target in
            var compose = Self.compose("testmodule:master")
            compose.modularKojiTags = Rig.modularTag
            compose.flags = .noDeps
            let context = try await Self.generate(generator, compose, target: target)
            #expect(context.compose.source == "testdep:1:1:00000000 testmodule:master:1:00000000")
            #expect(
                KojiGeneratorRig.files(context, "x86_64/os") == [
                    "modbar-2.0-1.module_f26.noarch.rpm", "moddep-1.0-1.module_f26.noarch.rpm", "modfoo-1.0-1.module_f26.x86_64.rpm",
                ])
            // An exact N:S:V finds the older version through Koji's search.
            var older = Self.compose("testmodule:master:0", id: 2)
            older.modularKojiTags = Rig.modularTag
            let resolved = try await generator.resolve(older, logger: Logger(label: "test"))
            #expect(resolved.source == "testdep:1:1:00000000 testmodule:master:0:00000000")
            var missing = Self.compose("nosuchmodule:1", id: 3)
            missing.modularKojiTags = Rig.modularTag
            await #expect(throws: GeneratorError("Module nosuchmodule:1 is not in the modular Koji tags modular-f26.")) {
                try await generator.resolve(missing, logger: Logger(label: "test"))
            }
        }
    }

    /// A compose of scratch modules only: `source` stays "", the modules named in
    /// `scratch_modules` are read from MBS by NSVC and composed like the others.
    @Test func scratchModulesAloneAreComposed() async throws {
        try await Rig.with { _, generator, target in
            var compose = Self.compose("")
            compose.scratchModules = "testdep:1:1:00000000"
            let context = try await Self.generate(generator, compose, target: target)
            #expect(context.compose.source == "")
            #expect(KojiGeneratorRig.files(context, "x86_64/os") == ["moddep-1.0-1.module_f26.noarch.rpm"])
            #expect(try Self.modulesJSON(context).keys.sorted() == ["testdep:1:1:00000000"])
        }
    }

    @Test func noDepsComposesOnlyTheRequestedModule() async throws {
        try await Rig.with { _, generator, target in
            var compose = Self.compose("testmodule:master")
            compose.flags = .noDeps
            let context = try await Self.generate(generator, compose, target: target)
            #expect(context.compose.source == "testmodule:master:1:00000000")
            #expect(
                KojiGeneratorRig.files(context, "x86_64/os") == [
                    "modbar-2.0-1.module_f26.noarch.rpm", "modfoo-1.0-1.module_f26.x86_64.rpm",
                ])
        }
    }

    @Test func badRequestsFailWithUpstreamsReasons() async throws {
        try await Rig.with { _, generator, target in
            var withPackages = Self.compose("testmodule:master")
            withPackages.packages = "modfoo"
            let packages = try await Self.failure(generator, withPackages, target: target)
            #expect(packages == "Exact packages cannot be set for MODULE source type.")
            let unknown = try await Self.failure(generator, Self.compose("nosuchmodule:1", id: 2), target: target)
            #expect(unknown == "Failed to find module nosuchmodule:1 in ready state in the MBS.")
            let untagged = try await Self.failure(generator, Self.compose("untagged:1", id: 3), target: target)
            // Pungi reads every module from Koji: one MBS knows but Koji does not fails with Pungi's message.
            #expect(untagged == "No module build found for 'untagged:1:1:00000000' (queried for 'untagged-1-1.00000000')")
            var withoutMBS = generator
            withoutMBS.configuration.mbsURL = nil
            let noMBS = try await Self.failure(withoutMBS, Self.compose("testmodule:master", id: 4), target: target)
            #expect(noMBS == "Module composes without modular_koji_tags need the Module Build Service: mbs_url is not configured.")
        }
    }

    /// `compose/metadata/modules.json`: the x86_64 modules of the Temporary variant, by uid.
    static func modulesJSON(_ context: GenerationContext) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: context.staging.appending("compose/metadata/modules.json").string))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((document["header"] as? [String: Any])?["type"] as? String == "productmd.modules")
        let modules = (document["payload"] as? [String: Any])?["modules"] as? [String: Any]
        return ((modules?["Temporary"] as? [String: Any])?["x86_64"] as? [String: Any]) ?? [:]
    }

    static func failure(_ generator: ModuleGenerator, _ compose: Compose, target: FilePath) async throws -> String {
        do {
            _ = try await generate(generator, compose, target: target)
        } catch let error as GeneratorError {
            return error.message
        }
        Issue.record("the compose was expected to fail")
        return ""
    }

    /// `dnf module list` (or another `dnf module` command) over the repository alone, in an empty install root.
    static func dnfModuleList(_ repository: FilePath, work: FilePath, command: [String] = ["list"]) async throws -> String {
        let empty = work.appending("repos.d")
        try FileManager.default.createDirectory(atPath: empty.string, withIntermediateDirectories: true)
        let output = work.appending("module-\(command.joined(separator: "-")).txt")
        let log = work.appending("dnf.log")
        do {
            try await ExternalCommand(
                [
                    "dnf", "-q", "--setopt=reposdir=\(empty.string)", "--repofrompath=odcs,\(repository.string)", "--repo=odcs",
                    "--setopt=cachedir=\(work.appending("cache").string)", "--installroot=\(work.appending("root").string)",
                    "--releasever=1", "--forcearch=x86_64", "module",
                ] + command, log: log, timeout: .seconds(300)
            ).run(standardOutputTo: output)
        } catch {
            Issue.record("dnf failed: \(error)\n\((try? String(contentsOfFile: log.string, encoding: .utf8)) ?? "")")
            return ""
        }
        return try String(contentsOfFile: output.string, encoding: .utf8)
    }
}
