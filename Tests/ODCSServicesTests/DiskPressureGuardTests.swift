import Foundation
import ODCSCore
import ODCSGenerator
import ODCSServices
import ODCSStore
import ODCSTesting
import ODCSVolume
import Synchronization
import SystemPackage
import Testing

@Suite struct DiskPressureGuardTests {
    @Test func removesOldestDoneComposesUntilSpaceIsBack() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            var ids: [Int64] = []
            for (index, hoursAgo) in [5, 3, 4, 0].enumerated() {
                let compose = try await factory.insert(builds: "p\(index)")
                try await factory.execute(
                    """
                    UPDATE composes SET state = 2, state_reason = 'Compose is generated successfully',
                        time_done = now() - \(hoursAgo) * interval '1 hour' WHERE id = \(compose.id)
                    """)
                try target.makeDirectory("odcs-\(compose.id)")
                ids.append(compose.id)
            }
            // Each removed compose frees 100 bytes; we start 150 below the minimum.
            let free = Mutex<UInt64>(850)
            let guardian = DiskPressureGuard.testing(
                target.directories, minFreeBytes: 1000, minimumAgeSeconds: 3600, sweeps: factory.sweeps,
                freeBytes: { layout in
                    let directories = (try? FileManager.default.contentsOfDirectory(atPath: layout.targetDir.string)) ?? []
                    return free.withLock { $0 } + UInt64(4 - directories.filter { $0.hasPrefix("odcs-") }.count) * 100
                })
            #expect(try await guardian.runOnce(fence: nil) == [ids[0], ids[2]])
            let removed = try await factory.compose(ids[0])
            #expect(removed.state == .removed)
            #expect(
                removed.stateReason
                    == "Compose is generated successfully\nRemoved early: the target dir had 850 bytes free, below min_free_space (1000 bytes)."
            )
            #expect(!target.exists("odcs-\(ids[0])"))
            #expect(target.exists("odcs-\(ids[1])"))
            #expect(try await factory.compose(ids[3]).state == .done)
        }
    }

    @Test func neverRemovesComposesYoungerThanTheMinimumAge() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            try await factory.execute("UPDATE composes SET state = 2, time_done = now() WHERE id = \(compose.id)")
            let guardian = DiskPressureGuard.testing(
                target.directories, minFreeBytes: 1000, sweeps: factory.sweeps, freeBytes: { _ in 10 })
            #expect(try await guardian.runOnce(fence: nil).isEmpty)
            #expect(try await factory.compose(compose.id).state == .done)
        }
    }

    /// The API stores the default target dir's path (not nil) for a request that names none;
    /// those composes are the default dir's too, and a compose of an extra target dir is not.
    @Test func removesComposesStoredWithTheDefaultDirsPathButNotAnExtraDirs() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let named = try await factory.insert(builds: "named") { $0.targetDir = target.path }
            let extra = try await factory.insert(builds: "extra") { $0.targetDir = "/srv/private" }
            for compose in [named, extra] {
                try await factory.execute(
                    "UPDATE composes SET state = 2, time_done = now() - interval '2 hours' WHERE id = \(compose.id)")
            }
            try target.makeDirectory("odcs-\(named.id)")
            let guardian = DiskPressureGuard.testing(
                target.directories, minFreeBytes: 1000, sweeps: factory.sweeps, freeBytes: { _ in 10 })
            #expect(try await guardian.runOnce(fence: nil) == [named.id])
            #expect(!target.exists("odcs-\(named.id)"))
            #expect(try await factory.compose(extra.id).state == .done)
        }
    }

    /// The oldest done compose belongs to a target dir this volume does not hold (here one
    /// the configuration does not name): it is neither removed nor in the way of the default
    /// dir's composes behind it (the sweep used to take one candidate and give up on it).
    @Test func anOlderComposeOfAnotherTargetDirDoesNotStopRemoval() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let elsewhere = try await factory.insert(builds: "elsewhere") { $0.targetDir = "/srv/private" }
            let named = try await factory.insert(builds: "named") { $0.targetDir = target.path + "/" }
            let legacy = try await factory.insert(builds: "legacy") { $0.targetDir = nil }
            for (compose, hoursAgo) in [(elsewhere, 9), (named, 5), (legacy, 4)] {
                try await factory.execute(
                    "UPDATE composes SET state = 2, time_done = now() - \(hoursAgo) * interval '1 hour' WHERE id = \(compose.id)")
            }
            for compose in [named, legacy] { try target.makeDirectory("odcs-\(compose.id)") }
            let guardian = DiskPressureGuard.testing(
                target.directories, minFreeBytes: 1000, sweeps: factory.sweeps, freeBytes: { _ in 10 })
            #expect(try await guardian.runOnce(fence: nil) == [named.id, legacy.id])
            #expect(!target.exists("odcs-\(named.id)") && !target.exists("odcs-\(legacy.id)"))
            #expect(try await factory.compose(elsewhere.id).state == .done)
        }
    }

    /// An extra target dir on the default's filesystem is one volume with it: measured once,
    /// and its composes are candidates in the same age order.
    @Test func extraTargetDirOnTheSameFilesystemSharesTheDefaultsVolume() async throws {
        let target = try TemporaryTargetDir()
        let extra = try TemporaryTargetDir()
        defer {
            target.remove()
            extra.remove()
        }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let private1 = try await factory.insert(builds: "private") { $0.targetDir = extra.path }
            let public1 = try await factory.insert(builds: "public") { $0.targetDir = target.path }
            for (compose, hoursAgo) in [(private1, 6), (public1, 5)] {
                try await factory.execute(
                    "UPDATE composes SET state = 2, time_done = now() - \(hoursAgo) * interval '1 hour' WHERE id = \(compose.id)")
            }
            try extra.makeDirectory("odcs-\(private1.id)")
            try target.makeDirectory("odcs-\(public1.id)")
            var directories = target.directories
            directories.extra = ["releng-private": FilePath(extra.path)]
            let measured = Mutex<[String]>([])
            let guardian = DiskPressureGuard.testing(
                directories, minFreeBytes: 1000, sweeps: factory.sweeps,
                freeBytes: { layout in
                    measured.withLock { $0.append(layout.targetDir.string) }
                    return FileManager.default.fileExists(atPath: extra.path + "/odcs-\(private1.id)") ? 10 : 5000
                })
            #expect(try await guardian.runOnce(fence: nil) == [private1.id])
            #expect(!extra.exists("odcs-\(private1.id)"))
            #expect(target.exists("odcs-\(public1.id)"))
            #expect(measured.withLock { $0 } == [target.path, target.path])
        }
    }
}

extension DiskPressureGuard {
    static func testing(
        _ directories: TargetDirectories, minFreeBytes: UInt64, minimumAgeSeconds: Int = 3600, sweeps: ComposeSweeps,
        freeBytes: @escaping @Sendable (VolumeLayout) throws -> UInt64
    ) -> DiskPressureGuard {
        var configuration = VolumeRoom.Configuration(targetDirectories: directories)
        configuration.minFreeBytes = minFreeBytes
        configuration.minimumAge = .seconds(minimumAgeSeconds)
        let room = VolumeRoom(configuration: configuration, sweeps: sweeps, metrics: .shared, logger: testLogger, freeBytes: freeBytes)
        return DiskPressureGuard(configuration: .init(), room: room, logger: testLogger)
    }
}
