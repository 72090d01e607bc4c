import Foundation
import ODCSCore
import ODCSServices
import ODCSStore
import ODCSTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct OrphanSweeperTests {
    @Test func removesDirectoriesNoLiveComposeOwns() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let live = try await factory.insert(builds: "live")
            let removed = try await factory.insert(builds: "gone")
            try await factory.execute("UPDATE composes SET state = 3 WHERE id = \(removed.id)")
            let generating = try await factory.insert(builds: "gen")
            let claim = try #require(
                try await factory.queue.claim(node: "n", limit: 2, deadlineSeconds: 60).first { $0.compose.id == generating.id })

            for name in [
                "odcs-\(live.id)", "odcs-\(removed.id)", "odcs-999", "odcs-abc", "latest-odcs-\(removed.id)-1", "unrelated",
                ".staging/odcs-\(generating.id)-\(claim.lease.attempt)", ".staging/odcs-\(generating.id)-\(claim.lease.attempt + 5)",
                ".trash/odcs-5-x",
            ] {
                try target.makeDirectory(name)
            }
            var configuration = OrphanSweeper.Configuration(targetDirectories: target.directories)
            configuration.minimumAge = .zero
            let sweeper = OrphanSweeper(configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger)
            _ = try await sweeper.runOnce(fence: nil)

            #expect(target.exists("odcs-\(live.id)"))
            #expect(!target.exists("odcs-\(removed.id)"))
            #expect(!target.exists("odcs-999"))
            #expect(!target.exists("latest-odcs-\(removed.id)-1"))
            #expect(target.exists("odcs-abc"))
            #expect(target.exists("unrelated"))
            #expect(target.exists(".staging/odcs-\(generating.id)-\(claim.lease.attempt)"))
            #expect(!target.exists(".staging/odcs-\(generating.id)-\(claim.lease.attempt + 5)"))
            #expect(!target.exists(".trash/odcs-5-x"))
        }
    }

    /// The sweep prunes `.cache/` of files unused for `cacheMaxAge`; zero keeps them all.
    @Test func prunesCacheFilesNoComposeUsedForTheMaximumAge() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            try target.makeDirectory(".cache/headers/ab", file: "old.solv")
            try target.makeDirectory(".cache/koji/cd", file: "new.listing")
            let old = target.path + "/.cache/headers/ab/old.solv"
            let then = timespec(tv_sec: time(nil) - 8 * 86400, tv_nsec: 0)
            var times = [then, then]
            #expect(utimensat(AT_FDCWD, old, &times, 0) == 0)
            var configuration = OrphanSweeper.Configuration(targetDirectories: target.directories)
            configuration.cacheMaxAge = .zero
            _ = try await OrphanSweeper(configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger)
                .runOnce(fence: nil)
            #expect(FileManager.default.fileExists(atPath: old))

            configuration.cacheMaxAge = .seconds(7 * 86400)
            _ = try await OrphanSweeper(configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger)
                .runOnce(fence: nil)
            #expect(!FileManager.default.fileExists(atPath: old))
            #expect(target.exists(".cache/koji/cd/new.listing"))
        }
    }

    @Test func leavesYoungEntriesAlone() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            try target.makeDirectory("odcs-999")
            let sweeper = OrphanSweeper(
                configuration: .init(targetDirectories: target.directories), sweeps: factory.sweeps, metrics: .shared, logger: testLogger)
            #expect(try await sweeper.runOnce(fence: nil).isEmpty)
            #expect(target.exists("odcs-999"))
        }
    }
}
