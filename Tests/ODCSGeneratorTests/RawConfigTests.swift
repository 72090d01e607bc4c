import Foundation
import ODCSCore
import ODCSGenerator
import ODCSTesting
import ODCSVolume
import SystemPackage
import Testing

/// raw_config composes from a real git repository made by the test: checkout at the requested
/// commit, ODCS's wrapper, kobo's parser, pungi-koji (the stand-in), the symlinks under
/// `<target_dir>/<compose_type>/`, and the inputs that must fail before anything runs.
@Suite struct RawConfigTests {
    /// A git repository with a Pungi configuration in `pungi.conf` and `sub/other.conf`.
    struct Repository {
        var url: String
        var first: String
        var second: String
    }

    static let config = """
        release_name = 'compose'
        release_short = 'compose'
        release_version = '1'
        release_is_layered = False
        variants_file = 'variants.xml'
        sigkeys = [None]
        pkgset_source = 'koji'
        pkgset_koji_tag = 'f26'
        gather_method = 'deps'
        koji_profile = 'from-the-repository'

        """

    static let wrapper = """
        from raw_config import *
        koji_profile = 'odcs_stg'
        createrepo_deltas = False
        odcs_compose_owner = '{{ compose.owner }}'

        """

    func repository(_ rig: PungiGeneratorRig) async throws -> Repository {
        let directory = rig.root.appending("config-repo")
        try FileManager.default.createDirectory(atPath: directory.appending("sub").string, withIntermediateDirectories: true)
        _ = try await rig.git(["init", "--quiet"], in: directory)
        try Self.config.write(toFile: directory.appending("pungi.conf").string, atomically: true, encoding: .utf8)
        try "release_name = 'other'\nrelease_short = 'other'\nrelease_version = '2'\n".write(
            toFile: directory.appending("sub/other.conf").string, atomically: true, encoding: .utf8)
        _ = try await rig.git(["add", "."], in: directory)
        _ = try await rig.git(["commit", "--quiet", "-m", "first"], in: directory)
        let first = try await rig.git(["rev-parse", "HEAD"], in: directory)
        try Self.config.replacingOccurrences(of: "release_version = '1'", with: "release_version = '9'")
            .write(toFile: directory.appending("pungi.conf").string, atomically: true, encoding: .utf8)
        _ = try await rig.git(["commit", "--quiet", "-am", "second"], in: directory)
        let second = try await rig.git(["rev-parse", "HEAD"], in: directory)
        return Repository(url: "file://\(directory)", first: first, second: second)
    }

    func configuration(_ rig: PungiGeneratorRig, _ repository: Repository, filename: String = "pungi.conf") throws
        -> PungiGenerator.Configuration
    {
        var configuration = rig.configuration()
        configuration.rawConfigs = ["pungi_cfg": RawConfigSource(url: repository.url, configFilename: filename)]
        let wrapper = rig.root.appending("raw_config_wrapper.conf")
        try Self.wrapper.write(toFile: wrapper.string, atomically: true, encoding: .utf8)
        configuration.rawConfigWrapper = wrapper.string
        configuration.renderer = ComposeJSONRenderer(targetDirURL: "http://localhost/odcs", defaultTargetDir: rig.target.string)
        return configuration
    }

    func rawCompose(_ rig: PungiGeneratorRig, source: String, id: Int64 = 1, type: String = "production") -> Compose {
        var compose = rig.compose(.rawConfig, source: source, id: id)
        compose.composeType = type
        compose.label = "Alpha-0.1"
        compose.kojiEvent = 777
        return compose
    }

    @Test func checksOutTheCommitWrapsTheConfigAndLinksTheCompose() async throws {
        try await PungiGeneratorRig.with { rig in
            let repository = try await repository(rig)
            let generator = PungiGenerator(configuration: try configuration(rig, repository))
            let context = try rig.context(rawCompose(rig, source: "pungi_cfg#\(repository.first)"))
            let result = try await generator.generate(context)

            let id = "compose-1-\(PungiGeneratorRig.today()).0"
            #expect(result.pungiComposeID == id)
            let (argv, cwd, env) = try rig.recorded()
            #expect(
                argv == [
                    PungiGeneratorRig.standin, "--config=\(cwd)/pungi.json", "--no-latest-link", "--compose-dir=\(context.staging)",
                    "--standin-record=\(rig.record)", "--production", "--label=Alpha-0.1", "--koji-event", "777", "--old-composes",
                    rig.target.appending("production").string,
                ])
            #expect(env["ODCS_RAW_CONFIG_SOURCE_NAME"] == "pungi_cfg")

            // The configuration is the first commit's, under the wrapper's overrides.
            let dump = try #require(result.pungiConfigDump)
            let config = try #require(try JSONValue.parse(dump).objectValue)
            #expect(config["release_version"] == "1")
            #expect(config["koji_profile"] == "odcs_stg")
            #expect(config["createrepo_deltas"] == false)
            #expect(config["odcs_compose_owner"] == "dev")
            #expect(config["pkgset_koji_tag"] == "f26")

            // raw_config composes have no .repo file, but symlinks to ../odcs-<id>.
            #expect(!FileManager.default.fileExists(atPath: context.staging.appending("compose/Temporary/odcs-1.repo").string))
            for name in [id, "latest-compose-1", "latest-compose-1-Alpha-0.1"] {
                let link = rig.target.appending("production/\(name)").string
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "../odcs-1", "\(name)")
            }
            // Once published, expiry keeps it as the newest of its line.
            try VolumeLayout(targetDir: rig.target).publish(staging: context.staging, id: 1)
            #expect(VolumeLayout(targetDir: rig.target).isNewestOfRawConfigLine(composeType: "production", pungiComposeID: id))
        }
    }

    /// An executable shell script in the rig, for the validator and post script.
    func script(_ rig: PungiGeneratorRig, _ name: String, _ body: String) throws -> String {
        let path = rig.root.appending(name).string
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// `pungi_config_validate` runs on the checked-out config with both schema overrides before
    /// Pungi; a validator that refuses the config fails the compose and Pungi never runs.
    @Test func theValidatorChecksTheRawConfigBeforePungi() async throws {
        try await PungiGeneratorRig.with { rig in
            let repository = try await repository(rig)
            let arguments = rig.root.appending("validator-arguments")
            var configuration = try configuration(rig, repository)
            configuration.configValidate = try script(rig, "validate-ok", "echo \"$@\" > '\(arguments)'")
            configuration.schemaOverride = "/etc/odcs/global-schema.json"
            configuration.rawConfigs["pungi_cfg"]?.schemaOverride = "/etc/odcs/own-schema.json"
            let context = try rig.context(rawCompose(rig, source: "pungi_cfg#\(repository.first)"))
            _ = try await PungiGenerator(configuration: configuration).generate(context)
            let passed = try String(contentsOfFile: arguments.string, encoding: .utf8).split(separator: " ").map(String.init)
            #expect(
                Array(passed.dropLast())
                    == [
                        "--old-composes", "--schema-override", "/etc/odcs/global-schema.json", "--schema-override",
                        "/etc/odcs/own-schema.json",
                    ])
            #expect(passed.last?.hasSuffix("/pungi.json\n") == true)
            #expect(try rig.recorded().argv.first == PungiGeneratorRig.standin)

            try FileManager.default.removeItem(atPath: rig.record.string)
            configuration.configValidate = try script(rig, "validate-bad", "echo 'not a valid config' >&2; exit 3")
            let refused = try rig.context(rawCompose(rig, source: "pungi_cfg#\(repository.first)", id: 2))
            do {
                _ = try await PungiGenerator(configuration: configuration).generate(refused)
                Issue.record("a refused config must fail the compose")
            } catch let error as GeneratorError {
                #expect(error.message.hasPrefix("Command '['\(configuration.configValidate!)', '--old-composes'"))
                #expect(error.message.contains("returned non-zero value 3"))
            }
            #expect(!FileManager.default.fileExists(atPath: rig.record.string), "pungi-koji must not run")
        }
    }

    /// A raw config's `post_script` runs in the compose directory after Pungi; when it fails,
    /// the compose is still done and the failure is in its log.
    @Test func thePostScriptRunsInTheComposeDirectoryAndItsFailureIsOnlyLogged() async throws {
        try await PungiGeneratorRig.with { rig in
            let repository = try await repository(rig)
            var configuration = try configuration(rig, repository)
            configuration.rawConfigs["pungi_cfg"]?.postScript = [
                try script(rig, "post-ok", "pwd > post-script-ran; echo \"$@\" >> post-script-ran"), "--done",
            ]
            let context = try rig.context(rawCompose(rig, source: "pungi_cfg#\(repository.first)"))
            _ = try await PungiGenerator(configuration: configuration).generate(context)
            let ran = try String(contentsOfFile: context.staging.appending("post-script-ran").string, encoding: .utf8)
            #expect(ran == "\(context.staging)\n--done\n")

            configuration.rawConfigs["pungi_cfg"]?.postScript = [try script(rig, "post-bad", "echo 'cannot notify' >&2; exit 4")]
            let failing = try rig.context(rawCompose(rig, source: "pungi_cfg#\(repository.first)", id: 2))
            let result = try await PungiGenerator(configuration: configuration).generate(failing)
            #expect(result.pungiComposeID != nil)
            let stderr = try String(contentsOfFile: failing.staging.appending("post-script-stderr.log").string, encoding: .utf8)
            #expect(stderr.contains("cannot notify"))
        }
    }

    @Test func aSecondComposeOfTheLineTakesTheNextRespinAndTheLatestLinks() async throws {
        try await PungiGeneratorRig.with { rig in
            let repository = try await repository(rig)
            let generator = PungiGenerator(configuration: try configuration(rig, repository))
            let first = try rig.context(rawCompose(rig, source: "pungi_cfg#\(repository.first)", id: 1, type: "test"))
            let firstID = try #require(try await generator.generate(first).pungiComposeID)
            try VolumeLayout(targetDir: rig.target).publish(staging: first.staging, id: 1)

            let second = try rig.context(rawCompose(rig, source: "pungi_cfg#\(repository.first)", id: 2, type: "test"))
            let secondID = try #require(try await generator.generate(second).pungiComposeID)
            try VolumeLayout(targetDir: rig.target).publish(staging: second.staging, id: 2)

            #expect(firstID == "compose-1-\(PungiGeneratorRig.today()).t.0")
            #expect(secondID == "compose-1-\(PungiGeneratorRig.today()).t.1")
            let layout = VolumeLayout(targetDir: rig.target)
            #expect(!layout.isNewestOfRawConfigLine(composeType: "test", pungiComposeID: firstID))
            #expect(layout.isNewestOfRawConfigLine(composeType: "test", pungiComposeID: secondID))
            #expect(
                try FileManager.default.destinationOfSymbolicLink(atPath: rig.target.appending("test/\(firstID)").string) == "../odcs-1")
        }
    }

    @Test func aConfigFileInASubdirectoryAndABranchName() async throws {
        try await PungiGeneratorRig.with { rig in
            let repository = try await repository(rig)
            var configuration = try configuration(rig, repository, filename: "sub/other.conf")
            configuration.rawConfigWrapper = nil
            let branch = try await rig.git(["symbolic-ref", "--short", "HEAD"], in: rig.root.appending("config-repo"))
            let context = try rig.context(rawCompose(rig, source: "pungi_cfg#\(branch)", type: "test"))
            let result = try await PungiGenerator(configuration: configuration).generate(context)
            #expect(result.pungiComposeID == "other-2-\(PungiGeneratorRig.today()).t.0")
        }
    }

    @Test func aRespinUsesTheConfigDumpUpdatedByTheWrapper() async throws {
        try await PungiGeneratorRig.with { rig in
            let repository = try await repository(rig)
            let generator = PungiGenerator(configuration: try configuration(rig, repository))
            var compose = rawCompose(rig, source: "pungi_cfg#\(repository.second)")
            compose.pungiConfigDump =
                #"{"release_name": "dumped", "release_short": "dumped", "release_version": "3", "koji_profile": "old"}"#
            let result = try await generator.generate(try rig.context(compose))
            #expect(result.pungiComposeID == "dumped-3-\(PungiGeneratorRig.today()).0")
            let dump = try #require(result.pungiConfigDump)
            let config = try #require(try JSONValue.parse(dump).objectValue)
            #expect(config["release_name"] == "dumped")
            #expect(config["koji_profile"] == "odcs_stg")
        }
    }

    @Test func unknownCommitFailsWithAReason() async throws {
        try await PungiGeneratorRig.with { rig in
            let repository = try await repository(rig)
            let generator = PungiGenerator(configuration: try configuration(rig, repository))
            let missing = String(repeating: "ab", count: 20)
            let context = try rig.context(rawCompose(rig, source: "pungi_cfg#\(missing)"))
            await #expect(throws: GeneratorError("raw_config pungi_cfg: commit \(missing) does not exist in \(repository.url).")) {
                try await generator.generate(context)
            }
            #expect(!FileManager.default.fileExists(atPath: rig.record.string), "pungi-koji ran")
        }
    }

    @Test(arguments: [
        (
            "pungi_cfg#--upload-pack=touch /tmp/x",
            #"raw_config pungi_cfg: "--upload-pack=touch /tmp/x" is not a valid git commit or branch name."#
        ),
        ("pungi_cfg#$(touch x)", #"raw_config pungi_cfg: "$(touch x)" is not a valid git commit or branch name."#),
        ("pungi_cfg#a;b", #"raw_config pungi_cfg: "a;b" is not a valid git commit or branch name."#),
        ("pungi_cfg#HEAD~1", #"raw_config pungi_cfg: "HEAD~1" is not a valid git commit or branch name."#),
        ("pungi_cfg", #"Source must be in "source_name#commit_hash" format for "raw_config" source_type."#),
        ("pungi_cfg#", #"Source must be in "source_name#commit_hash" format for "raw_config" source_type."#),
        ("nope#abc", #"Source "nope" does not exist in server configuration."#),
    ])
    func badSourcesFailBeforeAnythingRuns(source: String, message: String) async throws {
        try await PungiGeneratorRig.with { rig in
            let repository = Repository(url: "file://\(rig.root)/none", first: "", second: "")
            let generator = PungiGenerator(configuration: try configuration(rig, repository))
            let context = try rig.context(rawCompose(rig, source: source))
            await #expect(throws: GeneratorError(message)) { try await generator.generate(context) }
            #expect(!FileManager.default.fileExists(atPath: context.staging.appending("logs/global/raw-config.global.log").string))
            #expect(!FileManager.default.fileExists(atPath: rig.record.string))
        }
    }

    @Test func rawConfigSourceSplitsADirectoryOffTheFileName() throws {
        let source = try RawConfigSource(
            name: "x", json: ["url": "https://example.com/x.git", "config_filename": "a/b/c.conf", "pungi_timeout": 7200])
        #expect(source.path == "a/b" && source.configFilename == "c.conf" && source.pungiTimeout == 7200)
        #expect(throws: GeneratorError.self) {
            try RawConfigSource(name: "x", json: ["url": "https://example.com/x.git", "config_filename": "../../etc/passwd"])
        }
        #expect(throws: GeneratorError.self) { try RawConfigSource(name: "x", json: ["url": "https://example.com/x.git"]) }
    }
}
