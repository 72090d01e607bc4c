import Foundation
import ODCSCore
import ODCSServices
import ODCSStore
import ODCSTesting
import Synchronization
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
            var configuration = DiskPressureGuard.Configuration(targetDirectories: target.directories)
            configuration.minFreeBytes = 1000
            configuration.minimumAgeSeconds = 3600
            let guardian = DiskPressureGuard(
                configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger,
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
            var configuration = DiskPressureGuard.Configuration(targetDirectories: target.directories)
            configuration.minFreeBytes = 1000
            let guardian = DiskPressureGuard(
                configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger, freeBytes: { _ in 10 })
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
            var configuration = DiskPressureGuard.Configuration(targetDirectories: target.directories)
            configuration.minFreeBytes = 1000
            let guardian = DiskPressureGuard(
                configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger, freeBytes: { _ in 10 })
            #expect(try await guardian.runOnce(fence: nil) == [named.id])
            #expect(!target.exists("odcs-\(named.id)"))
            #expect(try await factory.compose(extra.id).state == .done)
        }
    }
}
