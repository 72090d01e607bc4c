import Foundation
import ODCSRepo
import ODCSTesting
import SystemPackage
import Testing

@Suite struct PackageFetcherTests {
    static func inode(_ path: FilePath) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path.string)
        return try #require(attributes[.systemFileNumber] as? UInt64)
    }

    static func withRepository(
        under base: FilePath, _ body: (Repository, FilePath) async throws -> Void
    ) async throws {
        let repo = base.appending("repo")
        try await FixtureRPMs.repository(at: repo, packages: [FixturePackage("baz", version: "3.0")])
        let repository = try await RepositoryReader(workDirectory: base.appending("work")).read(.directory(repo))
        try await body(repository, repo)
    }

    static func binary(_ repository: Repository) throws -> RepoPackage {
        try #require(repository.packages.first { !$0.isSource })
    }

    @Test func hardLinksALocalPackageOnTheSameFilesystem() async throws {
        try await TemporaryDirectory.with { dir in
            try await Self.withRepository(under: dir) { repository, repo in
                let package = try Self.binary(repository)
                let destination = dir.appending(package.fileName)
                let methods = try await PackageFetcher().fetch([
                    PackageFetcher.Job(package: package, repository: repository.location, destination: destination)
                ])
                #expect(methods == [.hardLink])
                #expect(try Self.inode(destination) == Self.inode(repo.appending(package.href)))
            }
        }
    }

    @Test func copiesWhenHardLinksAreOff() async throws {
        try await TemporaryDirectory.with { dir in
            try await Self.withRepository(under: dir) { repository, repo in
                let package = try Self.binary(repository)
                let destination = dir.appending(package.fileName)
                let method = try await PackageFetcher(hardLinks: false).fetch(
                    PackageFetcher.Job(package: package, repository: repository.location, destination: destination))
                #expect(method == .copy)
                #expect(try Self.inode(destination) != Self.inode(repo.appending(package.href)))
                #expect(FileManager.default.contentsEqual(atPath: destination.string, andPath: repo.appending(package.href).string))
            }
        }
    }

    /// /dev/shm is a tmpfs, another filesystem than the temp dir: link(2) fails with EXDEV.
    @Test(.enabled(if: FileManager.default.isWritableFile(atPath: "/dev/shm")))
    func copiesAcrossFilesystems() async throws {
        try await TemporaryDirectory.with(in: "/dev/shm") { shm in
            try await TemporaryDirectory.with { dir in
                try await Self.withRepository(under: shm) { repository, repo in
                    let package = try Self.binary(repository)
                    let destination = dir.appending(package.fileName)
                    let method = try await PackageFetcher().fetch(
                        PackageFetcher.Job(package: package, repository: repository.location, destination: destination))
                    #expect(method == .copy)
                    #expect(FileManager.default.contentsEqual(atPath: destination.string, andPath: repo.appending(package.href).string))
                }
            }
        }
    }

    /// What the space check asks for before anything is placed: nothing for a hard link, the
    /// package's size for a copy (across filesystems or with links off) and a download.
    @Test func countsTheBytesOfCopiesAndDownloadsButNotOfHardLinks() async throws {
        try await TemporaryDirectory.with { dir in
            try await Self.withRepository(under: dir) { repository, _ in
                let package = try Self.binary(repository)
                let job = PackageFetcher.Job(package: package, repository: repository.location, destination: dir.appending("x.rpm"))
                let linked = PackageFetcher().bytesToWrite([job], into: dir)
                #expect(linked.bytes == 0 && linked.linked == 1 && linked.written == 0)
                let copied = PackageFetcher(hardLinks: false).bytesToWrite([job, job], into: dir)
                #expect(copied.bytes == 2 * UInt64(package.size) && copied.written == 2)
                var remote = job
                remote.repository = .url("http://127.0.0.1:9/repo")
                #expect(PackageFetcher().bytesToWrite([remote], into: dir).bytes == UInt64(package.size))
                if FileManager.default.isWritableFile(atPath: "/dev/shm") {
                    try await TemporaryDirectory.with(in: "/dev/shm") { shm in
                        #expect(PackageFetcher().bytesToWrite([job], into: shm).bytes == UInt64(package.size))
                    }
                }
            }
        }
    }

    @Test func refusesALocalFileWhoseSizeDiffersFromTheMetadata() async throws {
        try await TemporaryDirectory.with { dir in
            try await Self.withRepository(under: dir) { repository, _ in
                var larger = try Self.binary(repository)
                larger.size += 1
                let package = larger
                let error = await #expect(throws: RepoError.self) {
                    try await PackageFetcher().fetch(
                        PackageFetcher.Job(package: package, repository: repository.location, destination: dir.appending("x.rpm")))
                }
                #expect(error?.description.contains("size mismatch: the repository metadata says \(package.size) bytes") == true)
            }
        }
    }

    @Test func downloadsAndVerifiesAPackageFromAnHTTPRepository() async throws {
        try await TemporaryDirectory.with { dir in
            try await Self.withRepository(under: dir) { repository, repo in
                let package = try Self.binary(repository)
                try await StaticFileServer.serving(repo) { baseURL in
                    let destination = dir.appending(package.fileName)
                    let method = try await PackageFetcher().fetch(
                        PackageFetcher.Job(package: package, repository: .url(baseURL), destination: destination))
                    #expect(method == .download)
                    #expect(FileManager.default.contentsEqual(atPath: destination.string, andPath: repo.appending(package.href).string))
                }
            }
        }
    }

    @Test func downloadWithAWrongChecksumFailsAndLeavesNoFile() async throws {
        try await TemporaryDirectory.with { dir in
            try await Self.withRepository(under: dir) { repository, repo in
                var tampered = try Self.binary(repository)
                let real = tampered.checksum!.value
                tampered.checksum = PackageChecksum(type: "sha256", value: String(repeating: "0", count: 64))
                let package = tampered
                try await StaticFileServer.serving(repo) { baseURL in
                    let destination = dir.appending(package.fileName)
                    let error = await #expect(throws: RepoError.self) {
                        try await PackageFetcher().fetch(
                            PackageFetcher.Job(package: package, repository: .url(baseURL), destination: destination))
                    }
                    #expect(
                        error?.description
                            == "Package \(package.fileName): sha256 checksum mismatch: expected \(package.checksum!.value), got \(real) from \(baseURL)/\(package.href)"
                    )
                    #expect(!FileManager.default.fileExists(atPath: destination.string))
                    #expect(!FileManager.default.fileExists(atPath: destination.string + ".part"))
                }
            }
        }
    }

    @Test func fetchesManyPackagesWithABoundedWidthInJobOrder() async throws {
        try await TemporaryDirectory.with { dir in
            let repo = dir.appending("repo")
            try await FixtureRPMs.repository(at: repo, packages: (1...6).map { FixturePackage("pkg\($0)") })
            let repository = try await RepositoryReader(workDirectory: dir.appending("work")).read(.directory(repo))
            let out = dir.appending("out")
            try FileManager.default.createDirectory(atPath: out.string, withIntermediateDirectories: true)
            let jobs = repository.packages.map {
                PackageFetcher.Job(package: $0, repository: repository.location, destination: out.appending($0.fileName))
            }
            let methods = try await PackageFetcher(width: 2).fetch(jobs)
            #expect(methods == Array(repeating: .hardLink, count: jobs.count))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: out.string).sorted() == repository.packages.map(\.fileName).sorted())
        }
    }
}
