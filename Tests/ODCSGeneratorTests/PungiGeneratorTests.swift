import Foundation
import ODCSCore
import ODCSGenerator
import ODCSRepo
import ODCSTesting
import SystemPackage
import Testing

/// PungiGenerator against a pungi-koji stand-in that checks its command line and writes a
/// Pungi-shaped tree: the success path, and each way upstream judges a run failed.
@Suite struct PungiGeneratorTests {
    @Test func tagComposeRunsPungiKojiWithUpstreamsCommandLine() async throws {
        try await PungiGeneratorRig.with { rig in
            let compose = rig.compose(packages: "ed gcc")
            let context = try rig.context(compose)
            let result = try await PungiGenerator(configuration: rig.configuration()).generate(context)

            let id = "odcs-1-1-\(PungiGeneratorRig.today()).t.0"
            #expect(result == GenerationResult(pungiComposeID: id))
            let (argv, cwd, env) = try rig.recorded()
            #expect(
                argv == [
                    PungiGeneratorRig.standin, "--config=\(cwd)/pungi.json", "--no-latest-link", "--compose-dir=\(context.staging)",
                    "--standin-record=\(rig.record)", "--test", "--koji-event", "12345",
                ])
            #expect(env["ODCS_RAW_CONFIG_SOURCE_NAME"] == nil)
            // The private configuration directory is gone afterwards.
            #expect(!FileManager.default.fileExists(atPath: cwd))

            let staging = context.staging
            #expect(try PungiGeneratorRig.text(staging.appending("COMPOSE_ID")) == id)
            let base = try PungiGeneratorRig.text(staging.appending("work/global/composeinfo-base.json"))
            #expect(base.contains(#""id": "\#(id)""#))
            #expect(try PungiGeneratorRig.text(staging.appending("STATUS")) == "FINISHED")
            #expect(try PungiGeneratorRig.text(staging.appending("pungi-stdout.log")) == "Compose finished: \(id)\n")
            #expect(FileManager.default.fileExists(atPath: staging.appending("pungi-stderr.log").string))
            // The configuration pungi-koji was given is what ODCS renders.
            let dump = try PungiGeneratorRig.text(staging.appending("logs/global/config-dump.global.log"))
            #expect(dump.contains(#""pkgset_koji_tag": "f26""#) && dump.contains(#""koji_profile": "koji""#))
            #expect(
                try PungiGeneratorRig.text(staging.appending("compose/Temporary/odcs-1.repo"))
                    == RepoFile(name: "odcs-1", resultRepoURL: "http://localhost/odcs/odcs-1/compose/Temporary").text)
        }
    }

    @Test func nonZeroExitFailsWithUpstreamsReasonAndPungisErrors() async throws {
        try await PungiGeneratorRig.with { rig in
            let context = try rig.context(rig.compose())
            let generator = PungiGenerator(configuration: rig.configuration(["--standin-exit=3"]))
            let error = try await #require(throws: GeneratorError.self) { try await generator.generate(context) }
            let (argv, _, _) = try rig.recorded()
            let published = rig.target.appending("odcs-1")
            let expected =
                "Command '\(RepoError.pythonList(argv).replacingOccurrences(of: context.staging.string, with: published.string))' "
                + "returned non-zero value 3, stdout log: \(published)/pungi-stdout.log, stderr log: \(published)/pungi-stderr.log\n"
                + "Compose run failed: stand-in told to fail\n2026-01-01 00:00:01 [INFO    ] Compose failed\n"
            #expect(error.message == expected)
            #expect(!FileManager.default.fileExists(atPath: context.staging.appending("compose/Temporary/odcs-1.repo").string))
        }
    }

    @Test func requestedPackageMissingFromRpmsJsonFailsTheCompose() async throws {
        try await PungiGeneratorRig.with { rig in
            let context = try rig.context(rig.compose(packages: "ed gcc"))
            let generator = PungiGenerator(configuration: rig.configuration(["--standin-omit=gcc"]))
            await #expect(throws: GeneratorError("The following requested packages are not present in the generated compose: gcc.")) {
                try await generator.generate(context)
            }
        }
    }

    @Test func timeoutKillsPungiKojisWholeProcessGroup() async throws {
        try await PungiGeneratorRig.with { rig in
            let pidFile = rig.root.appending("grandchild.pid")
            var configuration = rig.configuration(["--standin-hang=\(pidFile)"])
            // Long enough for the stand-in to start its grandchild first, even on a busy machine.
            configuration.timeout = .seconds(8)
            let context = try rig.context(rig.compose())
            await #expect(throws: GeneratorError("Compose has taken more time than allowed by configuration (8 seconds)")) {
                try await PungiGenerator(configuration: configuration).generate(context)
            }
            let pid = try #require(Int32(try PungiGeneratorRig.text(pidFile)))
            #expect(PungiGeneratorRig.isGone(pid), "the grandchild \(pid) outlived the timeout")
        }
    }

    @Test func missingPungiKojiFailsWithAReason() async throws {
        try await PungiGeneratorRig.with { rig in
            var configuration = rig.configuration()
            configuration.pungiKoji = rig.root.appending("no-such-pungi-koji").string
            let context = try rig.context(rig.compose())
            let error = try await #require(throws: GeneratorError.self) {
                try await PungiGenerator(configuration: configuration).generate(context)
            }
            #expect(error.message.contains("no-such-pungi-koji") && error.message.contains("could not be started"))
        }
    }

    @Test func repoComposeGetsNoKojiEventAndTheRenderedReposConfig() async throws {
        try await PungiGeneratorRig.with { rig in
            let context = try rig.context(rig.compose(.repo, source: "/srv/repo", id: 7))
            let result = try await PungiGenerator(configuration: rig.configuration()).generate(context)
            #expect(result.pungiComposeID == "odcs-7-1-\(PungiGeneratorRig.today()).t.0")
            let (argv, _, _) = try rig.recorded()
            #expect(!argv.contains("--koji-event"))
            let dump = try PungiGeneratorRig.text(context.staging.appending("logs/global/config-dump.global.log"))
            #expect(dump.contains(#""pkgset_source": "repos""#))
        }
    }
}
