import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSRepo
import ODCSTesting
import SystemPackage
import Testing

/// Module metadata as Pungi writes it: each arch's `modules.yaml` from the module builds'
/// `modulemd.<arch>.txt` archives in Koji (checked byte for byte against libmodulemd over the
/// same documents and defaults), `modules.json` against productmd, multilib artifacts, dnf's
/// reading of the result, and the builds Pungi skips.
@Suite struct ModuleArchiveTests {
    typealias Rig = ModuleGeneratorTests.Rig

    /// The x86_64 archive of a module build in the rig, where Koji keeps it.
    static func archive(_ rig: Rig, _ nsvc: String, arch: String = "x86_64") -> String {
        let parts = nsvc.split(separator: ":").map(String.init)
        let directory = "packages/\(parts[0])/\(parts[1].replacingOccurrences(of: "-", with: "_"))/\(parts[2]).\(parts[3])"
        return rig.fixture.topdir.appending("\(directory)/files/module/modulemd.\(arch).txt").string
    }

    /// libmodulemd (Debian's python3-gi and gir1.2-modulemd-2.0) reads the archives and the
    /// defaults repository's regular `*.yaml` files as Pungi does (`update_from_file`,
    /// `collect_module_defaults`) and answers its `dump_to_string()` and each stream's
    /// `get_rpm_artifacts()`.
    static let libmodulemd = """
        import gi, json, os, shutil, sys, tempfile
        gi.require_version("Modulemd", "2.0")
        from gi.repository import Modulemd
        defaults_dir, files = sys.argv[1], sys.argv[2:]
        index = Modulemd.ModuleIndex.new()
        for path in files:
            ok, failures = index.update_from_file(path, True)
            assert ok and not failures, path
        clean = tempfile.mkdtemp()
        for name in sorted(os.listdir(defaults_dir)):
            path = os.path.join(defaults_dir, name)
            if name.endswith(".yaml") and os.path.isfile(path) and not os.path.islink(path):
                shutil.copy(path, clean)
        defaults = Modulemd.ModuleIndex.new()
        defaults.update_from_defaults_directory(clean, False, None)
        for name in defaults.get_module_names():
            if name in index.get_module_names():
                index.add_defaults(defaults.get_module(name).get_defaults())
        artifacts = {}
        for name in index.get_module_names():
            for stream in index.get_module(name).get_all_streams():
                artifacts[stream.get_NSVCA().rsplit(":", 1)[0]] = list(stream.get_rpm_artifacts())
        print(json.dumps({"yaml": index.dump_to_string(), "artifacts": artifacts}))
        """

    /// productmd writes the modules.json Pungi would (`Modules.add` per module, with the
    /// repodata's `modules` file and libmodulemd's artifacts), with our compose's identity; the
    /// script prints both documents.
    static let productmd = """
        import json, sys, tempfile, xml.etree.ElementTree as ET, productmd.modules
        ours_path, repomd, expected = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
        ours = productmd.modules.Modules()
        ours.load(ours_path)
        ns = {"repo": "http://linux.duke.edu/metadata/repo"}
        href = [d.find("repo:location", ns).get("href") for d in ET.parse(repomd).getroot().findall("repo:data", ns)
                if d.get("type") == "modules"][0]
        modules = productmd.modules.Modules()
        for field in ("id", "date", "type", "respin", "label"):
            setattr(modules.compose, field, getattr(ours.compose, field))
        for uid, (koji_tag, rpms) in sorted(expected.items()):
            modules.add("Temporary", "x86_64", uid, koji_tag, "Temporary/x86_64/os/" + href, "binary", rpms)
        out = tempfile.mktemp()
        modules.dump(out)
        print(json.dumps({"expected": json.load(open(out)), "ours": json.load(open(ours_path))}))
        """

    static func run(_ arguments: [String], in work: FilePath, name: String) async throws -> [String: Any] {
        let output = work.appending("\(name).json")
        try await ExternalCommand(arguments, log: work.appending("\(name).log"), timeout: .seconds(120)).run(standardOutputTo: output)
        let data = try Data(contentsOf: URL(fileURLWithPath: output.string))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func modulesYAMLAndModulesJSONAreWhatLibmodulemdAndProductmdWrite() async throws {
        try await Rig.with { rig, generator, target in
            var compose = ModuleGeneratorTests.compose("testmodule:master multilib:1 i686art:1")
            compose.moduleDefaultsURL = try await ModuleGeneratorTests.defaultsRepository(in: target)
            let context = try await ModuleGeneratorTests.generate(generator, compose, target: target)
            let nsvcs = ["i686art:1:1:00000000", "multilib:1:1:00000000", "testdep:1:1:00000000", "testmodule:master:1:00000000"]
            #expect(context.compose.source == nsvcs.joined(separator: " "))
            // x86_64's modulemds decide the tree: mlib's lists its i686 package (multilib), iart's does not.
            #expect(
                KojiGeneratorRig.files(context, "x86_64/os") == [
                    "iart-1.0-1.module_f26.x86_64.rpm", "mlib-1.0-1.module_f26.i686.rpm", "mlib-1.0-1.module_f26.x86_64.rpm",
                    "modbar-2.0-1.module_f26.noarch.rpm", "moddep-1.0-1.module_f26.noarch.rpm", "modfoo-1.0-1.module_f26.x86_64.rpm",
                ])

            let work = target.appending("golden")
            try FileManager.default.createDirectory(atPath: work.string, withIntermediateDirectories: true)
            let golden = try await Self.run(
                ["/usr/bin/python3", "-c", Self.libmodulemd, context.staging.appending("work/global/module_defaults").string]
                    + nsvcs.map { Self.archive(rig, $0) }, in: work, name: "libmodulemd")
            let ours = try String(contentsOfFile: context.staging.appending("work/x86_64/module/modules.yaml").string, encoding: .utf8)
            #expect(ours == golden["yaml"] as? String)
            #expect(ours.contains("arch: x86_64\n") && !ours.contains("iart-0:1.0-1.module_f26.i686"))
            #expect(ours.contains("mlib-0:1.0-1.module_f26.i686"))

            let artifacts = try #require(golden["artifacts"] as? [String: [String]])
            #expect(artifacts.keys.sorted() == nsvcs)
            let tags = [
                "i686art:1:1:00000000": "module-i686art-1-1-00000000", "multilib:1:1:00000000": "module-multilib-1-1-00000000",
                "testdep:1:1:00000000": Rig.depTag, "testmodule:master:1:00000000": Rig.moduleTag,
            ]
            let expected = Dictionary(uniqueKeysWithValues: nsvcs.map { ($0, [tags[$0]! as Any, artifacts[$0]! as Any]) })
            let expectedJSON = String(decoding: try JSONSerialization.data(withJSONObject: expected), as: UTF8.self)
            let modules = try await Self.run(
                [
                    "python3", "-c", Self.productmd, context.staging.appending("compose/metadata/modules.json").string,
                    context.staging.appending("compose/Temporary/x86_64/os/repodata/repomd.xml").string, expectedJSON,
                ], in: work, name: "productmd")
            let theirs = try #require(modules["expected"] as? NSDictionary)
            #expect(modules["ours"] as? NSDictionary == theirs, "\(modules)")

            // dnf reads every module, and `dnf module info` shows the arch's artifacts.
            let os = context.staging.appending("compose/Temporary/x86_64/os")
            // ODCS gives Pungi no comps_file for a module compose: its repodata has no group record.
            let repomd = try String(contentsOfFile: os.appending("repodata/repomd.xml").string, encoding: .utf8)
            #expect(repomd.contains("<data type=\"modules\">") && !repomd.contains("<data type=\"group"))
            let listing = try await ModuleGeneratorTests.dnfModuleList(os, work: target.appending("dnf"))
            for name in ["i686art", "multilib", "testdep", "testmodule"] { #expect(listing.contains(name), "\(listing)") }
            let info = try await ModuleGeneratorTests.dnfModuleList(
                os, work: target.appending("dnf"), command: ["info", "multilib:1"])
            #expect(info.contains("mlib-0:1.0-1.module_f26.i686") && info.contains("mlib-0:1.0-1.module_f26.x86_64"), "\(info)")
            #expect(info.contains("x86_64"), "\(info)")
        }
    }

    /// An old module build with a single modulemd file: Pungi skips it and ends `done` and
    /// empty; a module compose of it fails here, naming it (a hybrid compose skips it, see
    /// `ModuleGeneratorTests.tagComposeWithModularKojiTagsAddsTheTaggedModules`).
    @Test func aModuleBuildWithoutPerArchModulemdFailsTheCompose() async throws {
        try await Rig.with { _, generator, target in
            let reason = try await ModuleGeneratorTests.failure(generator, ModuleGeneratorTests.compose("oldmod:1"), target: target)
            #expect(
                reason
                    == "Module oldmod:1:1:00000000 has no per-arch modulemd archives (modulemd.<arch>.txt) in Koji; rebuild it to compose it."
            )
            // A compose arch the module has no modulemd for fails with Pungi's message.
            var ppc = ModuleGeneratorTests.compose("testdep:1", id: 2)
            ppc.arches = "ppc64le"
            let arch = try await ModuleGeneratorTests.failure(generator, ppc, target: target)
            #expect(
                arch
                    == "Module testdep:1:1:00000000 does not have metadata for arch ppc64le and is not filtered out via filter_modules option."
            )
        }
    }

    /// Without `koji_topdir` the archives are downloaded from `koji_topurl`, like the RPMs.
    @Test func archivesAreDownloadedFromKojiTopurlWithoutTheVolume() async throws {
        try await Rig.with { rig, generator, target in
            try await StaticFileServer.serving(rig.fixture.topdir) { topurl in
                var remote = generator
                remote.koji.configuration.topdir = nil
                remote.koji.configuration.topurl = topurl
                var compose = ModuleGeneratorTests.compose("multilib:1")
                compose.flags = .noDeps
                let context = try await ModuleGeneratorTests.generate(remote, compose, target: target)
                #expect(
                    KojiGeneratorRig.files(context, "x86_64/os") == [
                        "mlib-1.0-1.module_f26.i686.rpm", "mlib-1.0-1.module_f26.x86_64.rpm",
                    ])
                let yaml = try String(
                    contentsOfFile: context.staging.appending("work/x86_64/module/modules.yaml").string, encoding: .utf8)
                let archive = try String(contentsOfFile: Self.archive(rig, "multilib:1:1:00000000"), encoding: .utf8)
                #expect(yaml == archive)
            }
        }
    }

    /// Scratch modules come from MBS's final modulemd, and only into `test` composes (Pungi's rule).
    @Test func scratchModulesComeFromMBSFinalModulemdInTestComposesOnly() async throws {
        try await Rig.with { _, generator, target in
            var compose = ModuleGeneratorTests.compose("testmodule:master")
            compose.flags = .noDeps
            compose.scratchModules = "testdep:1:1:00000000"
            let context = try await ModuleGeneratorTests.generate(generator, compose, target: target)
            let yaml = try String(contentsOfFile: context.staging.appending("work/x86_64/module/modules.yaml").string, encoding: .utf8)
            #expect(yaml.contains("name: testdep\n") && yaml.contains("arch: x86_64\n"))
            #expect(
                try ModuleGeneratorTests.modulesJSON(context).keys.sorted() == ["testdep:1:1:00000000", "testmodule:master:1:00000000"])

            var production = ModuleGeneratorTests.compose("", id: 2)
            production.scratchModules = "testdep:1:1:00000000"
            production.composeType = "production"
            let reason = try await ModuleGeneratorTests.failure(generator, production, target: target)
            #expect(reason == "No modules to compose.")
        }
    }
}
