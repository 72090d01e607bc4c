import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSRepo
import ODCSTesting
import SystemPackage
import Testing

/// The compose as a user consumes it: the `.repo` file exactly as written, served over HTTP,
/// and `dnf` (Debian's dnf 4) installing from it into an empty root.
@Suite struct DNFInstallTests {
    @Test func dnfInstallsFromTheComposeThroughItsRepoFile() async throws {
        let rig = try await KojiGeneratorRig.shared.value
        try await KojiGeneratorRig.with { _, _, generator, target in
            try await StaticFileServer.serving(target) { targetURL in
                let compose = try await generator.resolve(
                    KojiGeneratorRig.compose(id: 7, source: "rig-tag", packages: "foo baz"), logger: Logger(label: "test"))
                let staging = target.appending(".staging/odcs-7-1")
                try FileManager.default.createDirectory(atPath: staging.string, withIntermediateDirectories: true)
                var logger = Logger(label: "dnf-test")
                logger.logLevel = .warning
                _ = try await generator.generate(
                    GenerationContext(compose: compose, attempt: 1, staging: staging, targetDirURL: targetURL, logger: logger))
                // What the worker does when the compose is done.
                try FileManager.default.moveItem(atPath: staging.string, toPath: target.appending("odcs-7").string)

                let work = try TemporaryDirectory.make(prefix: "dnf", in: rig.root)
                let reposdir = work.appending("repos.d")
                try FileManager.default.createDirectory(atPath: reposdir.string, withIntermediateDirectories: true)
                try FileManager.default.copyItem(
                    atPath: target.appending("odcs-7/compose/Temporary/odcs-7.repo").string,
                    toPath: reposdir.appending("odcs-7.repo").string)
                let root = work.appending("root")
                let log = work.appending("dnf.log")
                do {
                    try await ExternalCommand(
                        [
                            "dnf", "-y", "--installroot=\(root.string)", "--releasever=1", "--setopt=reposdir=\(reposdir.string)",
                            "--setopt=cachedir=\(work.appending("cache").string)", "--setopt=install_weak_deps=False",
                            "--forcearch=x86_64", "install", "foo", "baz",
                        ], log: log, timeout: .seconds(300)
                    ).run()
                } catch {
                    Issue.record("dnf failed: \(error)\n\((try? String(contentsOfFile: log.string, encoding: .utf8)) ?? "")")
                    return
                }
                let query = work.appending("rpm-q.txt")
                try await ExternalCommand(
                    ["rpm", "--root=\(root.string)", "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}\\n"], log: work.appending("rpm.log"),
                    timeout: .seconds(60)
                ).run(standardOutputTo: query)
                let installed = try String(contentsOfFile: query.string, encoding: .utf8).split(separator: "\n").map(String.init).sorted()
                // bar comes in as foo's dependency, from the same repository.
                #expect(installed == ["bar-2.0-1", "baz-0.1-1", "foo-1.1-1"])
            }
        }
    }
}
