import Foundation
import ODCSCore
import Testing

@testable import ODCSGenerator

/// The rendered Pungi configuration against upstream's (reference §10.2–10.5): one real
/// rendering of ODCS 0.9.2 and the reference's examples, for each request shape.
@Suite struct PungiConfigTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pungi-golden")

    static func golden(_ name: String) throws -> String {
        try String(contentsOf: golden.appendingPathComponent(name), encoding: .utf8)
    }

    static func compose(
        _ type: SourceType, source: String, id: Int64 = 1, packages: String? = nil, builds: String? = nil, sigkeys: String? = "",
        arches: String = "x86_64", flags: ComposeFlags = [], results: ComposeResults = [.repository]
    ) -> Compose {
        var compose = Compose(
            id: id, owner: "dev", sourceType: type, source: source, state: .generating, results: results, flags: flags,
            timeToExpire: Date(), timeSubmitted: Date())
        compose.packages = packages
        compose.builds = builds
        compose.sigkeys = sigkeys
        compose.arches = arches
        compose.multilibArches = ""
        compose.lookasideRepos = ""
        compose.composeType = "test"
        return compose
    }

    @Test func repoComposeMatchesUpstreamsRendering() throws {
        var compose = Self.compose(.repo, source: "/srv/odcsref/input-repo", id: 5)
        compose.label = "RC-1.1"
        let files = try PungiConfig(compose: compose, settings: .init())
        #expect(files.json == (try Self.golden("odcs-rendered-pungi.json")))
        #expect(files.variantsXML == (try Self.golden("odcs-rendered-variants.xml")))
        #expect(files.compsXML == (try Self.golden("odcs-rendered-comps.xml")))
    }

    @Test func tagComposeMatchesTheReferenceExample() throws {
        var compose = Self.compose(.tag, source: "f26", packages: "ed gcc", builds: "foo-1-1", sigkeys: "SIG1 SIG2", flags: [.checkDeps])
        compose.multilibArches = "x86_64"
        compose.multilibMethod = MultilibMethod([.runtime, .devel]).rawValue
        compose.lookasideRepos = "http://la/1"
        let files = try PungiConfig(compose: compose, settings: .init(kojiProfile: "koji"))
        #expect(
            files.json
                == #"{"release_name": "odcs-1", "release_short": "odcs-1", "release_version": "1", "release_is_layered": false, "bootable": false, "variants_file": "variants.xml", "sigkeys": ["SIG1", "SIG2"], "hashed_directories": true, "runroot": false, "pkgset_source": "koji", "pkgset_koji_tag": "f26", "pkgset_koji_inherit": true, "pkgset_koji_builds": ["foo-1-1"], "pkgset_allow_reuse": true, "filter_system_release_packages": false, "multilib": [["^.*$", {"x86_64": ["runtime", "devel"]}]], "gather_source": "comps", "gather_method": "deps", "comps_file": "comps.xml", "check_deps": true, "greedy_method": "build", "gather_lookaside_repos": [["^.*$", {"*": ["http://la/1"]}]], "createrepo_c": true, "createrepo_checksum": "sha256", "createrepo_enable_cache": false, "media_checksums": ["sha256"], "create_jigdo": false, "skip_phases": ["createiso", "buildinstall", "live_media", "live_images", "ostree"], "translate_paths": [["/mnt/koji/compose/", "http://kojipkgs.fedoraproject.org/compose/"]], "koji_profile": "koji", "repoclosure_strictness": [[".*", {"*": "off"}]]}"#
        )
        #expect(
            files.variantsXML == """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE variants PUBLIC "-//Red Hat, Inc.//DTD Variants info//EN" "variants2012.dtd">
                <variants>
                  <variant id="Temporary" name="Temporary" type="variant">
                    <arches>
                      <arch>x86_64</arch>
                    </arches>
                    <groups>
                        <group default="true">odcs-group</group>
                    </groups>
                  </variant>
                </variants>

                """)
        #expect(
            files.compsXML == """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
                <comps>
                  <group>
                    <id>odcs-group</id>
                    <name>odcs-group</name>
                    <description>ODCS compose default group</description>
                    <default>true</default>
                    <uservisible>true</uservisible>
                    <packagelist>
                        <packagereq>ed</packagereq>
                        <packagereq>gcc</packagereq>
                    </packagelist>
                  </group>
                </comps>

                """)
    }

    @Test func tagWithoutPackagesTakesEverythingAndModularTagsGoHybrid() throws {
        var compose = Self.compose(.tag, source: "f26", arches: "x86_64 aarch64", flags: [.noInheritance, .noReuse])
        compose.modularKojiTags = "f26-modular"
        compose.moduleDefaultsURL = "git://defaults.git master"
        let files = try PungiConfig(compose: compose, settings: .init())
        let c = files.config
        #expect(c["pkgset_koji_module_tag"] == ["f26-modular"])
        #expect(c["module_defaults_dir"] == ["scm": "git", "repo": "git://defaults.git", "branch": "master", "dir": "."])
        #expect(c["pkgset_koji_inherit"] == false)
        #expect(c["pkgset_allow_reuse"] == false)
        #expect(c["additional_packages"] == [["^Temporary$", ["*": ["*"]]]])
        #expect(c["gather_method"] == "hybrid")
        #expect(c["sigkeys"] == [.null])
        #expect(c["koji_profile"] == "None")
        #expect(
            files.variantsXML.contains(
                "      <arch>x86_64</arch>\n      <arch>aarch64</arch>\n    </arches>\n    <modules>\n      <module>*</module>\n    </modules>"
            ))
        #expect(!files.variantsXML.contains("<groups>"))
        #expect(files.compsXML.contains("    <packagelist>\n    </packagelist>"))
    }

    @Test func moduleComposeGathersModulesWithoutComps() throws {
        let compose = Self.compose(.module, source: "moduleA:f26:1:00000000 moduleB:f26:2:c0ffee00", flags: [])
        let files = try PungiConfig(compose: compose, settings: .init())
        #expect(files.config["pkgset_koji_tag"] == "")
        #expect(files.config["gather_source"] == "module")
        #expect(files.config["gather_method"] == "nodeps")
        #expect(files.config["comps_file"] == nil)
        #expect(files.config["additional_packages"] == nil)
        #expect(files.compsXML == "")
        #expect(
            files.variantsXML.contains(
                "<modules>\n      <module>moduleA:f26:1:00000000</module>\n      <module>moduleB:f26:2:c0ffee00</module>\n    </modules>"))

        let withPackages = Self.compose(.module, source: "moduleA:f26", packages: "foo")
        #expect(throws: GeneratorError("Exact packages cannot be set for MODULE source type.")) {
            try PungiConfig(compose: withPackages, settings: .init())
        }
    }

    @Test func buildAndPungiComposeSourcesUseBuildsAndNoVariantGroup() throws {
        let build = try PungiConfig(
            compose: Self.compose(.build, source: "", builds: "foo-1-1 bar-2-2", flags: [.noDeps]), settings: .init())
        #expect(build.config["pkgset_koji_tag"] == "")
        #expect(build.config["pkgset_koji_builds"] == ["foo-1-1", "bar-2-2"])
        #expect(build.config["additional_packages"] == [["^Temporary$", ["*": ["*"]]]])
        #expect(build.config["gather_method"] == "nodeps")

        let resolved = Self.compose(
            .pungiCompose, source: "http://x/compose/Temporary", packages: "foo", builds: "foo-1-1", sigkeys: "sigkey1 ")
        let files = try PungiConfig(compose: resolved, settings: .init())
        // pungi_compose's trailing space stands for the None key: upstream's split keeps it.
        #expect(files.config["sigkeys"] == ["sigkey1", ""])
        #expect(files.config["additional_packages"] == nil)
        #expect(!files.variantsXML.contains("<groups>"))
        #expect(files.compsXML.contains("<packagereq>foo</packagereq>"))
    }

    @Test func bootIsoAndIsoResultsAndScratchInputs() throws {
        var compose = Self.compose(.tag, source: "f26", results: [.repository, .bootISO, .iso])
        compose.scratchModules = "foo:1:2:c"
        compose.scratchBuildTasks = "123 456"
        let files = try PungiConfig(compose: compose, settings: .init(mbsURL: "https://mbs.example.com/module-build-service"))
        let c = files.config
        #expect(c["bootable"] == true)
        #expect(c["buildinstall_method"] == "lorax")
        #expect(c["buildinstall_topdir"] == "/mnt/koji/compose/odcs")
        #expect(c["skip_phases"] == ["live_media", "live_images", "ostree"])
        #expect(c["mbs_api_url"] == "https://mbs.example.com/module-build-service/1")
        #expect(c["pkgset_scratch_modules"] == ["^Temporary$": ["foo:1:2:c"]])
        #expect(c["pkgset_koji_scratch_tasks"] == ["123", "456"])
        let keys = c.keys
        #expect(keys.firstIndex(of: "pkgset_koji_scratch_tasks")! < keys.firstIndex(of: "pkgset_allow_reuse")!)
        #expect(keys.firstIndex(of: "buildinstall_method")! < keys.firstIndex(of: "skip_phases")!)
    }

    @Test func commandLineFollowsUpstream() throws {
        var compose = Self.compose(.tag, source: "f26")
        compose.label = "Beta-1"
        compose.parentPungiComposeIDs = "P-1 P-2"
        compose.respinOf = "X-1"
        let command = PungiCommand(
            executable: "pungi-koji", configDirectory: "/tmp/tmpXXXX", composeDirectory: "/srv/odcs/odcs-1", extraArguments: [],
            compose: compose, kojiEvent: 12345, oldComposes: "/cache/dir")
        #expect(
            command.arguments == [
                "pungi-koji", "--config=/tmp/tmpXXXX/pungi.json", "--no-latest-link", "--compose-dir=/srv/odcs/odcs-1", "--test",
                "--label=Beta-1", "--parent-compose-id=P-1", "--parent-compose-id=P-2", "--respin-of=X-1", "--koji-event", "12345",
                "--old-composes", "/cache/dir",
            ])

        compose.label = nil
        compose.parentPungiComposeIDs = nil
        compose.respinOf = nil
        compose.flags = [.noLabel]
        compose.composeType = "production"
        var production = command
        production.compose = compose
        production.kojiEvent = nil
        production.oldComposes = nil
        production.extraArguments = ["--debug"]
        #expect(
            production.arguments == [
                "pungi-koji", "--config=/tmp/tmpXXXX/pungi.json", "--no-latest-link", "--compose-dir=/srv/odcs/odcs-1", "--debug",
                "--production", "--no-label",
            ])
        // A type flag among the configured arguments wins; an unknown compose type runs as --test.
        production.extraArguments = ["--nightly"]
        #expect(production.arguments.filter { $0.hasPrefix("--") && PungiCommand.composeTypeFlags.values.contains($0) } == ["--nightly"])
        compose.composeType = "weird"
        production.compose = compose
        production.extraArguments = []
        #expect(production.arguments.contains("--test"))
    }

    @Test func composeInfoMatchesUpstreamsFile() throws {
        let config = try #require(
            (["release_name": "odcs-5", "release_short": "odcs-5", "release_version": "1"] as JSONValue).objectValue)
        let info = try PungiComposeInfo(config: config, label: "RC-1.1", composeType: "test", date: "20261127")
        #expect(info.id == (try Self.golden("COMPOSE_ID")))
        #expect(info.json == (try Self.golden("composeinfo-base.json")))

        var layered = try PungiComposeInfo(
            config: try #require(
                ([
                    "release_name": "Fedora", "release_short": "F", "release_version": "40", "release_type": "updates",
                    "base_product_name": "Base", "base_product_short": "B", "base_product_version": "9",
                ] as JSONValue).objectValue), label: nil, composeType: "production", date: "20240101")
        layered.respin = 2
        #expect(layered.id == "F-40-updates-B-9-20240101.2")
        #expect(layered.json.contains(#""base_product": {"#))
        #expect(layered.json.contains(#""is_layered": true"#))
        #expect(throws: GeneratorError("Invalid compose type: weird")) {
            try PungiComposeInfo(config: config, label: nil, composeType: "weird", date: "20240101")
        }
    }

    @Test func pungiLogErrorsAreUpstreamsExtract() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pungi-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        try """
        2024-01-01 10:00:00 [INFO    ] start
        2024-01-01 10:00:01 [ERROR   ] Extended traceback in: /x
        2024-01-01 10:00:01 [INFO    ] more
        2024-01-01 10:00:02 [ERROR   ] Compose run failed: boom
        2024-01-01 10:00:03 [INFO    ] Compose failed

        """.write(to: log, atomically: true, encoding: .utf8)
        #expect(PungiLogErrors.read(.init(log.path)) == "Compose run failed: boom\n2024-01-01 10:00:03 [INFO    ] Compose failed\n")
    }

    @Test func nevraNamesAsProductmdParsesThem() {
        #expect(PungiGenerator.name(ofNEVRA: "foo-devel-0:1.0-1.fc40.x86_64") == "foo-devel")
        #expect(PungiGenerator.name(ofNEVRA: "bar-2:2.0-1.noarch") == "bar")
    }
}
