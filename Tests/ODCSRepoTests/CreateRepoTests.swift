import Foundation
import ODCSRepo
import ODCSTesting
import SystemPackage
import Testing

@Suite struct CreateRepoTests {
    @Test func indexesADirectoryReadableByRepositoryReader() async throws {
        try await TemporaryDirectory.with { dir in
            let tree = dir.appending("tree")
            try await FixtureRPMs.build([FixturePackage("qux", version: "3.0")], into: tree)
            let log = dir.appending("createrepo.log")
            try await CreateRepo(revision: "42").run(in: tree, log: log)
            let repository = try await RepositoryReader(workDirectory: dir.appending("work")).read(.directory(tree))
            #expect(repository.revision == "42")
            #expect(repository.packages.map(\.nevra).sorted() == ["qux-0:3.0-1.noarch", "qux-0:3.0-1.src"])
            #expect(repository.packages.allSatisfy { $0.checksum?.type == "sha256" })
            #expect(repository.index.entries["primary_db"] == nil)
            #expect(try String(contentsOfFile: log.string, encoding: .utf8).hasPrefix("$ ['createrepo_c', '\(tree)'"))
        }
    }

    @Test func failureNamesTheCommandAndItsLog() async throws {
        try await TemporaryDirectory.with { dir in
            let missing = dir.appending("missing")
            let log = dir.appending("createrepo.log")
            let error = await #expect(throws: RepoError.self) { try await CreateRepo(workers: 1).run(in: missing, log: log) }
            #expect(
                error?.description
                    == "Command '['createrepo_c', '\(missing)', '--checksum=sha256', '--unique-md-filenames', '--no-database', '--workers=1']' returned non-zero value 1, log: \(log)"
            )
        }
    }
}
