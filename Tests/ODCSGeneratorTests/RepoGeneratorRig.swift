import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSTesting
import SystemPackage

/// Two fixture repositories under an allowed local root, a target dir, and the compose and
/// context factories the RepoGenerator tests share. Repository `a` has foo 1.0 (with -devel
/// and -debuginfo, x86_64) and bar 2.0 (noarch); `b` has foo 1.1 and qux 3.0 (noarch).
struct RepoGeneratorRig {
    let root: FilePath

    var repos: FilePath { root.appending("repos") }
    var a: FilePath { repos.appending("a") }
    var b: FilePath { repos.appending("b") }
    var target: FilePath { root.appending("target") }

    static func with(_ body: (RepoGeneratorRig) async throws -> Void) async throws {
        try await TemporaryDirectory.with { root in
            let rig = RepoGeneratorRig(root: root)
            try await FixtureRPMs.repository(
                at: rig.a,
                packages: [
                    FixturePackage("foo", version: "1.0", arch: "x86_64", requires: ["libbar"], subpackages: ["devel", "debuginfo"]),
                    FixturePackage("bar", version: "2.0", provides: ["libbar"]),
                ], revision: "1496834159")
            try await FixtureRPMs.repository(
                at: rig.b,
                packages: [
                    FixturePackage("foo", version: "1.1", arch: "x86_64", requires: ["libbar"], subpackages: ["devel", "debuginfo"]),
                    FixturePackage("qux", version: "3.0"),
                ])
            try await body(rig)
        }
    }

    func generator() -> RepoGenerator {
        RepoGenerator(configuration: .init(localRoots: [repos]))
    }

    func compose(id: Int64 = 1, source: String, packages: String? = nil, arches: String? = nil) -> Compose {
        var compose = Compose(
            id: id, owner: "me", sourceType: .repo, source: source, state: .generating, results: .repository, flags: [],
            timeToExpire: Date(timeIntervalSinceNow: 3600), timeSubmitted: Date())
        compose.packages = packages
        compose.arches = arches
        return compose
    }

    /// The staging directory the worker would make: `<target>/.staging/odcs-<id>-1`.
    func context(_ compose: Compose, targetDirURL: String = "http://localhost/odcs") throws -> GenerationContext {
        let staging = target.appending(".staging/odcs-\(compose.id)-1")
        try FileManager.default.createDirectory(atPath: staging.string, withIntermediateDirectories: true)
        var logger = Logger(label: "repo-generator-test")
        logger.logLevel = .warning
        return GenerationContext(compose: compose, attempt: 1, staging: staging, targetDirURL: targetDirURL, logger: logger)
    }

    /// Relative paths of the `.rpm` files under `directory`.
    static func rpms(under directory: FilePath) -> [String] {
        let entries = FileManager.default.enumerator(atPath: directory.string)?.compactMap { $0 as? String } ?? []
        return entries.filter { $0.hasSuffix(".rpm") }.sorted()
    }

    static func text(_ path: FilePath) throws -> String {
        try String(contentsOfFile: path.string, encoding: .utf8)
    }
}
