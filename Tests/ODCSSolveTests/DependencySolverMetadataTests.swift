import Testing

@testable import ODCSSolve

/// The closure over createrepo_c metadata instead of RPM headers.
@Suite struct DependencySolverMetadataTests {
    private static func fixtures() async throws -> FixtureRepository {
        try await FixtureRepository([
            FixtureSpec("tooling", files: ["/usr/bin/fixture-tool"]),
            FixtureSpec("datafiles", arch: "noarch", files: ["/opt/fixture/data.txt"]),
            FixtureSpec("consumer", requires: ["/usr/bin/fixture-tool", "/opt/fixture/data.txt", "libbar"]),
            FixtureSpec("bar", version: "2.0", provides: ["libbar"]),
        ])
    }

    private static let all = ["bar-2.0-1.x86_64", "consumer-1.0-1.x86_64", "datafiles-1.0-1.noarch", "tooling-1.0-1.x86_64"]

    @Test func resolvesFileRequirementsFromPrimaryAndFilelists() async throws {
        let repo = try await Self.fixtures()
        let metadata = try await repo.metadata(for: Self.all)
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(repository: 3, primaryXML: metadata.primary, filelistsXML: metadata.filelists)
        #expect(loaded.nvras.sorted() == Self.all)
        #expect(loaded.named("bar-2.0-1.x86_64")?.sourceRPM == "bar-2.0-1.src.rpm")
        let result = solver.closure(
            ClosureRequest(initial: try pick(loaded, "consumer-1.0-1.x86_64"), resolveDependencies: true))
        #expect(result.packages.nvras == Self.all)
        #expect(result.unresolved.isEmpty)
    }

    @Test func primaryAloneKnowsOnlyItsFileSubset() async throws {
        let repo = try await Self.fixtures()
        let metadata = try await repo.metadata(for: Self.all)
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(repository: 3, primaryXML: metadata.primary, filelistsXML: nil)
        let result = solver.closure(
            ClosureRequest(initial: try pick(loaded, "consumer-1.0-1.x86_64"), resolveDependencies: true))
        #expect(result.packages.nvras == ["bar-2.0-1.x86_64", "consumer-1.0-1.x86_64", "tooling-1.0-1.x86_64"])
        #expect(result.unresolved.map(\.dependency) == ["/opt/fixture/data.txt"])
    }

    @Test func lookasideFromMetadataIsNotCopied() async throws {
        let repo = try await Self.fixtures()
        let lookaside = try await repo.metadata(for: ["bar-2.0-1.x86_64"])
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let loaded = try solver.addCandidates(
            repository: 1, rpmFiles: repo.paths("consumer-1.0-1.x86_64", "tooling-1.0-1.x86_64", "datafiles-1.0-1.noarch"))
        try solver.addLookaside(repository: 2, primaryXML: lookaside.primary, filelistsXML: lookaside.filelists)
        let result = solver.closure(
            ClosureRequest(initial: try pick(loaded, "consumer-1.0-1.x86_64"), resolveDependencies: true))
        #expect(result.packages.nvras == ["consumer-1.0-1.x86_64", "datafiles-1.0-1.noarch", "tooling-1.0-1.x86_64"])
        #expect(result.fromLookaside.nvras == ["bar-2.0-1.x86_64"])
    }

    /// Koji's repository of a tag lists more than the compose's candidates: the packages the
    /// filter refuses neither install nor provide, also after more packages are loaded (the
    /// exclusion must cover solvables added later) and with file provides computed.
    @Test func packagesTheFilterRefusesNeitherInstallNorProvide() async throws {
        let repo = try await Self.fixtures()
        let metadata = try await repo.metadata(for: Self.all)
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        var asked: [String] = []
        let kept = try solver.addCandidates(
            repository: 3, primaryXML: metadata.primary, filelistsXML: metadata.filelists,
            keeping: { nevra in
                asked.append(nevra)
                return !nevra.hasPrefix("bar-") && !nevra.hasPrefix("tooling-")
            })
        #expect(asked.count == Self.all.count)
        #expect(kept.nvras.sorted() == ["consumer-1.0-1.x86_64", "datafiles-1.0-1.noarch"])
        let tooling = try solver.addCandidates(repository: 4, rpmFiles: repo.paths("tooling-1.0-1.x86_64"))
        let result = solver.closure(
            ClosureRequest(initial: try pick(kept, "consumer-1.0-1.x86_64") + tooling, resolveDependencies: true))
        #expect(result.packages.nvras == ["consumer-1.0-1.x86_64", "datafiles-1.0-1.noarch", "tooling-1.0-1.x86_64"])
        #expect(result.packages.first { $0.name == "tooling" }?.repository == 4)
        #expect(result.unresolved.map(\.dependency) == ["libbar"])
        let refused = SolverPackage(repository: 3, name: "bar", epoch: 0, version: "2.0", release: "1", arch: "x86_64", sourceRPM: nil)
        #expect(solver.closure(ClosureRequest(initial: [refused], resolveDependencies: true)).rejectedInitial.count == 1)
    }

    @Test func missingMetadataFileIsNamedInTheError() {
        let solver = DependencySolver(arch: "x86_64", multilib: false)
        let error = #expect(throws: SolverError.self) {
            try solver.addCandidates(repository: 1, primaryXML: "/nonexistent/primary.xml", filelistsXML: nil)
        }
        #expect(error?.description.contains("/nonexistent/primary.xml") == true)
    }
}
