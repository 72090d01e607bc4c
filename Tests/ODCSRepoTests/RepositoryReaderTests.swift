import Foundation
import ODCSRepo
import ODCSTesting
import SystemPackage
import Testing

@Suite struct RepositoryReaderTests {
    static let packages = [
        FixturePackage("foo", version: "1.1", epoch: 2, arch: "x86_64", requires: ["libbar"], subpackages: ["devel"]),
        FixturePackage("bar", version: "2.0", provides: ["libbar"]),
    ]

    static func expectFixturePackages(_ repository: Repository, files: [FilePath]) throws {
        #expect(repository.revision == "1496834159")
        let byName = Dictionary(uniqueKeysWithValues: repository.packages.map { ($0.nevra, $0) })
        #expect(
            Set(byName.keys) == [
                "foo-2:1.1-1.x86_64", "foo-devel-2:1.1-1.x86_64", "foo-2:1.1-1.src", "bar-0:2.0-1.noarch", "bar-0:2.0-1.src",
            ])
        let foo = try #require(byName["foo-2:1.1-1.x86_64"])
        #expect(foo.href == "foo-1.1-1.x86_64.rpm")
        #expect(foo.sourceRPM == "foo-1.1-1.src.rpm")
        #expect(foo.sourceNEVRA == "foo-2:1.1-1.src")
        #expect(foo.checksum?.type == "sha256")
        #expect(foo.checksum?.value.count == 64)
        let file = try #require(files.first { $0.lastComponent?.string == foo.fileName })
        let attributes = try FileManager.default.attributesOfItem(atPath: file.string)
        #expect(foo.size == (attributes[.size] as? Int64))
        let source = try #require(byName["bar-0:2.0-1.src"])
        #expect(source.isSource)
        #expect(source.sourceRPM == nil)
    }

    @Test func readsALocalRepository() async throws {
        try await TemporaryDirectory.with { dir in
            let repo = dir.appending("repo")
            let files = try await FixtureRPMs.repository(at: repo, packages: Self.packages, revision: "1496834159")
            let reader = RepositoryReader(workDirectory: dir.appending("work"))
            let repository = try await reader.read(.directory(repo))
            try Self.expectFixturePackages(repository, files: files)
            // Only the decompression's scratch files were there, and they are gone.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appending("work").string).isEmpty)
        }
    }

    @Test func readsARepositoryOverHTTP() async throws {
        try await TemporaryDirectory.with { dir in
            let repo = dir.appending("served/el9")
            let files = try await FixtureRPMs.repository(at: repo, packages: Self.packages, revision: "1496834159")
            try await StaticFileServer.serving(dir.appending("served")) { baseURL in
                let reader = RepositoryReader(workDirectory: dir.appending("work"))
                let repository = try await reader.read(try #require(RepositoryLocation(baseURL + "/el9/")))
                #expect(repository.location == .url(baseURL + "/el9"))
                try Self.expectFixturePackages(repository, files: files)
            }
        }
    }

    @Test(arguments: ["xz", "bz2"])
    func readsPrimaryCompressedWith(_ compression: String) async throws {
        try await TemporaryDirectory.with { dir in
            let repo = dir.appending("repo")
            try await FixtureRPMs.build([FixturePackage("baz")], into: repo)
            try await ExternalCommand(
                ["createrepo_c", "--no-database", "--general-compress-type=\(compression)", repo.string], log: dir.appending("cr.log"),
                timeout: .seconds(60)
            ).run()
            let repository = try await RepositoryReader(workDirectory: dir.appending("work")).read(.directory(repo))
            #expect(repository.index.entries["primary"]?.href.hasSuffix(".xml.\(compression)") == true)
            #expect(repository.packages.map(\.nevra).sorted() == ["baz-0:1.0-1.noarch", "baz-0:1.0-1.src"])
        }
    }

    @Test func missingRepositoryIsNamedInTheError() async throws {
        try await TemporaryDirectory.with { dir in
            let missing = dir.appending("nowhere")
            let error = await #expect(throws: RepoError.self) {
                try await RepositoryReader(workDirectory: dir).read(.directory(missing))
            }
            #expect(error?.description == "Repository \(missing): cannot read \(missing)/repodata/repomd.xml")
        }
    }

    @Test func missingHTTPRepositoryReportsTheStatus() async throws {
        try await TemporaryDirectory.with { dir in
            try await StaticFileServer.serving(dir) { baseURL in
                let error = await #expect(throws: RepoError.self) {
                    try await RepositoryReader(workDirectory: dir).read(.url(baseURL + "/none"))
                }
                #expect(
                    error?.description == "Repository \(baseURL)/none: GET \(baseURL)/none/repodata/repomd.xml returned HTTP 404")
            }
        }
    }

    @Test(arguments: [
        ("<metadata packages=\"1\"><package type=\"rpm\"><name>x</name>", "primary.xml is truncated: no closing </metadata>"),
        ("<metadata><package type=\"rpm\"></metadata>", "primary.xml: package #1: missing name, arch or version"),
        ("this is not XML", "primary.xml is not well-formed XML"),
        ("<metadata packages=\"2\"></metadata>", "primary.xml declares 2 packages but lists 0"),
    ])
    func damagedPrimaryIsReported(content: String, reason: String) async throws {
        try await TemporaryDirectory.with { dir in
            let repo = dir.appending("repo")
            try await FixtureRPMs.repository(at: repo, packages: [FixturePackage("baz")])
            let repomd = try Data(contentsOf: URL(fileURLWithPath: repo.appending("repodata/repomd.xml").string))
            let primary = repo.appending(try #require(try RepoMetadataIndex(parsing: repomd).entries["primary"]).href)
            let plain = dir.appending("primary.xml")
            try content.write(toFile: plain.string, atomically: true, encoding: .utf8)
            try await ExternalCommand(["gzip", "-c", plain.string], log: dir.appending("gzip.log"), timeout: .seconds(30))
                .run(standardOutputTo: primary)
            let error = await #expect(throws: RepoError.self) {
                try await RepositoryReader(workDirectory: dir.appending("work")).read(.directory(repo))
            }
            #expect(error?.description.hasPrefix("Repository \(repo): \(reason)") == true, "\(String(describing: error))")
        }
    }

    @Test func hrefLeavingTheRepositoryIsRefused() throws {
        let primary = """
            <?xml version="1.0" encoding="UTF-8"?>
            <metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">
            <package type="rpm"><name>evil</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/>
            <checksum type="sha256" pkgid="YES">00</checksum><size package="1" installed="1" archive="1"/>
            <location href="../../etc/evil.rpm"/><format><rpm:sourcerpm>evil-1-1.src.rpm</rpm:sourcerpm></format></package>
            </metadata>
            """
        let error = #expect(throws: RepoMetadataIndex.ParseFailure.self) {
            try PrimaryMetadata.packages(in: Data(primary.utf8))
        }
        #expect(error?.reason == "primary.xml: package evil: unusable location href '../../etc/evil.rpm'")
    }

    @Test func locationsAreAbsolutePathsOrHTTPURLs() throws {
        #expect(RepositoryLocation("/srv/repo/../repo/") == .directory("/srv/repo"))
        #expect(RepositoryLocation("https://example.com/repo//") == .url("https://example.com/repo"))
        #expect(RepositoryLocation("relative/repo") == nil)
        #expect(RepositoryLocation("ftp://example.com/repo") == nil)
        #expect(RepositoryLocation("http:///nohost") == nil)
        #expect(try RepositoryLocation("https://example.com/r")?.resolve("Packages/a.rpm") == .url("https://example.com/r/Packages/a.rpm"))
        #expect(
            try RepositoryLocation("/srv/r")?.resolve("a.rpm", base: "https://mirror.example.com/x")
                == .url("https://mirror.example.com/x/a.rpm"))
        #expect(try RepositoryLocation("/srv/r")?.resolve("a.rpm", base: "file:///srv/other") == .directory("/srv/other/a.rpm"))
    }

    /// A repository someone else serves cannot make a node copy this machine's files, and a
    /// local one cannot name files outside its directory.
    @Test(arguments: ["file:///etc", "FILE:///etc", "/etc", "file://localhost/etc"])
    func aRemoteRepositoryCannotPointAtLocalFiles(_ base: String) throws {
        let remote = try #require(RepositoryLocation("https://example.com/r"))
        let error = #expect(throws: RepoError.self) { try remote.resolve("shadow", base: base) }
        #expect(error?.description.contains("xml:base") == true)
    }

    @Test func aLocalRepositoryCannotNameFilesOutsideItsDirectory() throws {
        let local = try #require(RepositoryLocation("/srv/r"))
        for href in ["../../etc/shadow", "/etc/shadow", "Packages/../../x.rpm", ""] {
            #expect(throws: RepoError.self) { try local.resolve(href) }
        }
        #expect(try local.resolve("Packages/a/a.rpm") == .directory("/srv/r/Packages/a/a.rpm"))
    }
}
