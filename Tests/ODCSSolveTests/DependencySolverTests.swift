import Foundation
import Testing

@testable import ODCSSolve

/// The closure against real RPM headers, on the small rigs the Pungi research ran.
@Suite struct DependencySolverTests {
    /// Pungi's observed rig: rig-base (bar, qux) inherited by rig-tag (foo 1.0 and 1.1, baz).
    private static func rig() async throws -> FixtureRepository {
        try await FixtureRepository([
            FixtureSpec("bar", version: "2.0", provides: ["libbar"]),
            FixtureSpec("qux", version: "3.0", arch: "noarch"),
            FixtureSpec("foo", version: "1.0", requires: ["libbar"]),
            FixtureSpec("foo", version: "1.1", requires: ["libbar"]),
            FixtureSpec("baz", version: "0.1", arch: "noarch"),
        ])
    }

    @Test func pullsProviderOfRequirementLikePungiRig() async throws {
        let rig = try await Self.rig()
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let base = try solver.addCandidates(repository: 1, rpmFiles: rig.paths("bar-2.0-1.x86_64", "qux-3.0-1.noarch"))
        let tag = try solver.addCandidates(
            repository: 2, rpmFiles: rig.paths("foo-1.0-1.x86_64", "foo-1.1-1.x86_64", "baz-0.1-1.noarch"))
        #expect(base.map(\.nevra) == ["bar-0:2.0-1.x86_64", "qux-0:3.0-1.noarch"])
        #expect(tag[1].sourceRPM == "foo-1.1-1.src.rpm")

        let wanted = try pick(tag, "foo-1.1-1.x86_64", "baz-0.1-1.noarch")
        let result = solver.closure(ClosureRequest(initial: wanted, resolveDependencies: true))
        #expect(result.packages.map(\.nevra) == ["bar-0:2.0-1.x86_64", "baz-0:0.1-1.noarch", "foo-0:1.1-1.x86_64"])
        #expect(result.packages.map(\.repository) == [1, 2, 2])
        #expect(result.unresolved.isEmpty)
        #expect(result.fromLookaside.isEmpty)
    }

    @Test func nodepsKeepsOnlyInitialPackages() async throws {
        let rig = try await Self.rig()
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        try solver.addCandidates(repository: 1, rpmFiles: rig.paths("bar-2.0-1.x86_64", "qux-3.0-1.noarch"))
        let tag = try solver.addCandidates(repository: 2, rpmFiles: rig.paths("foo-1.1-1.x86_64", "baz-0.1-1.noarch"))
        let result = solver.closure(ClosureRequest(initial: tag, resolveDependencies: false))
        #expect(result.packages.nvras == ["baz-0.1-1.noarch", "foo-1.1-1.x86_64"])
        #expect(result.unresolved.isEmpty)
    }

    @Test func reportsRequirementNothingProvides() async throws {
        let rig = try await Self.rig()
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let tag = try solver.addCandidates(repository: 2, rpmFiles: rig.paths("foo-1.1-1.x86_64", "baz-0.1-1.noarch"))
        let result = solver.closure(ClosureRequest(initial: tag, resolveDependencies: true))
        #expect(result.packages.nvras == ["baz-0.1-1.noarch", "foo-1.1-1.x86_64"])
        #expect(result.unresolved.map(\.dependency) == ["libbar"])
        #expect(result.unresolved.first?.package.nevra == "foo-0:1.1-1.x86_64")
    }

    @Test func versionedRequirementUsesOnlyNewestBuildOfEachName() async throws {
        let repo = try await FixtureRepository([
            FixtureSpec("bar", version: "2.0", provides: ["libbar = 2.0"]),
            FixtureSpec("bar", version: "3.0", provides: ["libbar = 3.0"]),
            FixtureSpec("app", requires: ["libbar >= 3"]),
            FixtureSpec("old", requires: ["libbar = 2.0"]),
        ])
        let onlyOld = DependencySolver(arch: "x86_64", multilib: false)
        let first = try onlyOld.addCandidates(repository: 1, rpmFiles: repo.paths("app-1.0-1.x86_64", "bar-2.0-1.x86_64"))
        let unsatisfied = onlyOld.closure(ClosureRequest(initial: try pick(first, "app-1.0-1.x86_64"), resolveDependencies: true))
        #expect(unsatisfied.packages.nvras == ["app-1.0-1.x86_64"])
        #expect(unsatisfied.unresolved.map(\.dependency) == ["libbar >= 3"])

        let both = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try both.addCandidates(
            repository: 1,
            rpmFiles: repo.paths("app-1.0-1.x86_64", "old-1.0-1.x86_64", "bar-2.0-1.x86_64", "bar-3.0-1.x86_64"))
        let wanted = try pick(loaded, "app-1.0-1.x86_64", "old-1.0-1.x86_64")
        let result = both.closure(ClosureRequest(initial: wanted, resolveDependencies: true))
        #expect(result.packages.nvras == ["app-1.0-1.x86_64", "bar-3.0-1.x86_64", "old-1.0-1.x86_64"])
        // hawkey's latest() hides bar-2.0 entirely, so `libbar = 2.0` has no provider, as in Pungi.
        #expect(result.unresolved.map(\.dependency) == ["libbar = 2.0"])
    }

    @Test func resolvesFileRequirementsFromHeadersIncludingPrereqs() async throws {
        let repo = try await FixtureRepository([
            FixtureSpec("tooling", files: ["/usr/bin/fixture-tool", "/opt/fixture/data.txt"]),
            FixtureSpec(
                "consumer", requires: ["/usr/bin/fixture-tool"], extraPreamble: ["Requires(post): /opt/fixture/data.txt"]),
        ])
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(repository: 1, rpmFiles: repo.binaryPaths)
        let result = solver.closure(ClosureRequest(initial: try pick(loaded, "consumer-1.0-1.x86_64"), resolveDependencies: true))
        #expect(result.packages.nvras == ["consumer-1.0-1.x86_64", "tooling-1.0-1.x86_64"])
        #expect(result.unresolved.isEmpty)
    }

    @Test func prefersShortestThenAlphabeticalThenChosenProvider() async throws {
        let repo = try await FixtureRepository([
            FixtureSpec("postfix", provides: ["mta"]),
            FixtureSpec("exim", provides: ["mta"]),
            FixtureSpec("abcd", provides: ["mta"]),
            FixtureSpec("mailer", requires: ["mta"]),
        ])
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(repository: 1, rpmFiles: repo.binaryPaths)
        let plain = solver.closure(ClosureRequest(initial: try pick(loaded, "mailer-1.0-1.x86_64"), resolveDependencies: true))
        #expect(plain.packages.nvras == ["abcd-1.0-1.x86_64", "mailer-1.0-1.x86_64"])

        let withPostfix = try pick(loaded, "mailer-1.0-1.x86_64", "postfix-1.0-1.x86_64")
        let seen = solver.closure(ClosureRequest(initial: withPostfix, resolveDependencies: true))
        #expect(seen.packages.nvras == ["mailer-1.0-1.x86_64", "postfix-1.0-1.x86_64"])
    }

    @Test func archOutranksNameLengthAsPungiSorts() async throws {
        let repo = try await FixtureRepository([
            FixtureSpec("ab", arch: "noarch", provides: ["thing"]),
            FixtureSpec("longer-name", provides: ["thing"]),
            FixtureSpec("user", arch: "noarch", requires: ["thing"]),
        ])
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(repository: 1, rpmFiles: repo.binaryPaths)
        let result = solver.closure(ClosureRequest(initial: try pick(loaded, "user-1.0-1.noarch"), resolveDependencies: true))
        #expect(result.packages.nvras == ["longer-name-1.0-1.x86_64", "user-1.0-1.noarch"])
    }

    @Test func greedyBuildTakesEveryProviderFromTheSameSourceRPM() async throws {
        let repo = try await FixtureRepository([
            FixtureSpec(
                "common", provides: ["libcommon"],
                subpackages: [.init(name: "common-compat", provides: ["libcommon"], files: ["/usr/share/compat.txt"])]),
            FixtureSpec("other", provides: ["libcommon-other"]),
            FixtureSpec("app", requires: ["libcommon"]),
        ])
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(repository: 1, rpmFiles: repo.binaryPaths)
        let app = try pick(loaded, "app-1.0-1.x86_64")
        let greedy = solver.closure(ClosureRequest(initial: app, resolveDependencies: true))
        #expect(greedy.packages.nvras == ["app-1.0-1.x86_64", "common-1.0-1.x86_64", "common-compat-1.0-1.x86_64"])

        let single = solver.closure(ClosureRequest(initial: app, resolveDependencies: true, greedyBuild: false))
        #expect(single.packages.nvras == ["app-1.0-1.x86_64", "common-1.0-1.x86_64"])
    }

    @Test func lookasideSatisfiesRequirementWithoutJoiningCompose() async throws {
        let repo = try await FixtureRepository([
            FixtureSpec("zlib", requires: ["never-there"], provides: ["zlib-cap"]),
            FixtureSpec("app", requires: ["zlib-cap"]),
            FixtureSpec("shared", version: "2.0"),
            FixtureSpec("user", requires: ["shared"]),
        ])
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(
            repository: 1, rpmFiles: repo.paths("app-1.0-1.x86_64", "user-1.0-1.x86_64", "shared-2.0-1.x86_64"))
        try solver.addLookaside(repository: 9, rpmFiles: repo.paths("zlib-1.0-1.x86_64", "shared-2.0-1.x86_64"))
        let result = solver.closure(
            ClosureRequest(initial: try pick(loaded, "app-1.0-1.x86_64", "user-1.0-1.x86_64"), resolveDependencies: true))
        #expect(result.packages.nvras == ["app-1.0-1.x86_64", "user-1.0-1.x86_64"])
        // shared is in both: Pungi prefers the lookaside copy of the same name-evr.
        #expect(result.fromLookaside.nvras == ["shared-2.0-1.x86_64", "zlib-1.0-1.x86_64"])
        #expect(result.fromLookaside.map { $0.repository } == [9, 9])
        // Requirements of lookaside packages are not followed.
        #expect(result.unresolved.isEmpty)
    }

    @Test func richDependenciesResolveThroughLibsolv() async throws {
        let repo = try await FixtureRepository([
            FixtureSpec("beta", provides: ["cap-b"]),
            FixtureSpec("alpha-long", provides: ["cap-a"]),
            FixtureSpec("rich", requires: ["(cap-a or cap-b)", "(cap-x or cap-y)"]),
        ])
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(repository: 1, rpmFiles: repo.binaryPaths)
        let result = solver.closure(ClosureRequest(initial: try pick(loaded, "rich-1.0-1.x86_64"), resolveDependencies: true))
        #expect(result.packages.nvras == ["beta-1.0-1.x86_64", "rich-1.0-1.x86_64"])
        #expect(result.unresolved.map(\.dependency) == ["(cap-x or cap-y)"])
    }

    @Test func neverChoosesSourceOrDebuginfoPackagesAsProviders() async throws {
        let repo = try await FixtureRepository([
            FixtureSpec("tool", provides: ["tool-cap"]),
            FixtureSpec("thing-debuginfo", provides: ["debug-cap"]),
            FixtureSpec("needy", requires: ["tool", "debug-cap"]),
        ])
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(
            repository: 1,
            rpmFiles: repo.paths("needy-1.0-1.x86_64", "thing-debuginfo-1.0-1.x86_64", "tool-1.0-1.src"))
        #expect(loaded.named("tool-1.0-1.src")?.sourceRPM == nil)
        let result = solver.closure(ClosureRequest(initial: try pick(loaded, "needy-1.0-1.x86_64"), resolveDependencies: true))
        #expect(result.packages.nvras == ["needy-1.0-1.x86_64"])
        #expect(result.unresolved.map(\.dependency) == ["debug-cap", "tool"])

        let asInitial = solver.closure(ClosureRequest(initial: try pick(loaded, "tool-1.0-1.src"), resolveDependencies: true))
        #expect(asInitial.packages.isEmpty)
        #expect(asInitial.rejectedInitial.nvras == ["tool-1.0-1.src"])
    }

    @Test func sameInputGivesSameOutput() async throws {
        let rig = try await Self.rig()
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(repository: 1, rpmFiles: rig.binaryPaths)
        let request = ClosureRequest(initial: try pick(loaded, "foo-1.1-1.x86_64", "qux-3.0-1.noarch"), resolveDependencies: true)
        let first = solver.closure(request)
        let second = solver.closure(request)
        #expect(first.packages == second.packages)
        #expect(first.packages.nvras == ["bar-2.0-1.x86_64", "foo-1.1-1.x86_64", "qux-3.0-1.noarch"])
    }

    @Test func corruptRPMFileIsNamedInTheError() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odcs-solve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken-1.0-1.x86_64.rpm").path
        try Data("this is not an rpm".utf8).write(to: URL(fileURLWithPath: broken))
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let error = #expect(throws: SolverError.self) { try solver.addCandidates(repository: 1, rpmFiles: [broken]) }
        guard case .unreadableRPM(let path, let reason) = error else {
            Issue.record("expected unreadableRPM, got \(String(describing: error))")
            return
        }
        #expect(path == broken)
        #expect(!reason.isEmpty)
        #expect(error?.description.contains(broken) == true)
    }
}
