import Foundation
import ODCSCore
import ODCSGenerator
import ODCSStore
import ODCSTesting
import Synchronization
import Testing

@testable import ODCSServices

/// The check a compose passes before its packages are placed. The free space is a closure
/// over the composes' directories here; Tests/Volume runs the same on real full tmpfs volumes.
@Suite struct ComposeSpaceTests {
    static func room(_ target: TemporaryTargetDir, sweeps: ComposeSweeps, minFree: UInt64, free: @escaping @Sendable () -> UInt64)
        -> VolumeRoom
    {
        var configuration = VolumeRoom.Configuration(targetDirectories: target.directories)
        configuration.minFreeBytes = minFree
        configuration.minimumAge = .zero
        return VolumeRoom(configuration: configuration, sweeps: sweeps, metrics: .shared, logger: testLogger, freeBytes: { _ in free() })
    }

    @Test func failsAtOnceWithTheShortfallWhenNothingCanBeRemoved() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let room = Self.room(target, sweeps: ComposeFactory(client: client).sweeps, minFree: 1000, free: { 1050 })
            let space = ComposeSpace(room: room, layout: target.layout, composeID: 7, metrics: .shared)
            await #expect(
                throws: GeneratorError(
                    "Not enough space in the target dir for its 1 package: 100 bytes needed, 1050 bytes free and min_free_space keeps "
                        + "1000 bytes free; no done compose old enough could be removed to make room.")
            ) {
                try await space.ensure(bytes: 100, for: "its 1 package", logger: testLogger)
            }
        }
    }

    @Test func removesTheOldestDoneComposesUntilThePackagesFit() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            var ids: [Int64] = []
            for (index, hoursAgo) in [3, 5, 1].enumerated() {
                let compose = try await factory.insert(builds: "p\(index)") { $0.targetDir = target.path }
                try await factory.execute(
                    "UPDATE composes SET state = 2, time_done = now() - \(hoursAgo) * interval '1 hour' WHERE id = \(compose.id)")
                try target.makeDirectory("odcs-\(compose.id)")
                ids.append(compose.id)
            }
            // 900 bytes free with all three; each removed compose frees 200.
            let room = Self.room(
                target, sweeps: factory.sweeps, minFree: 1000,
                free: {
                    let entries = (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? []
                    return 900 + UInt64(3 - entries.filter { $0.hasPrefix("odcs-") }.count) * 200
                })
            let space = ComposeSpace(room: room, layout: target.layout, composeID: 99, metrics: .shared)
            try await space.ensure(bytes: 250, for: "its 2 packages", logger: testLogger)
            #expect(try await factory.compose(ids[1]).state == .removed)
            #expect(try await factory.compose(ids[0]).state == .removed)
            #expect(try await factory.compose(ids[2]).state == .done)
            #expect(
                try await factory.compose(ids[1]).stateReason
                    == "Removed early: the target dir had 900 bytes free; compose 99 needed 250 bytes and min_free_space is 1000 bytes.")
            #expect(!target.exists("odcs-\(ids[1])") && target.exists("odcs-\(ids[2])"))
        }
    }

    @Test func countsWhatThisNodesOtherGenerationsWerePromised() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let room = Self.room(target, sweeps: ComposeFactory(client: client).sweeps, minFree: 1000, free: { 2000 })
            let first = ComposeSpace(room: room, layout: target.layout, composeID: 1, metrics: .shared)
            let second = ComposeSpace(room: room, layout: target.layout, composeID: 2, metrics: .shared)
            try await first.ensure(bytes: 600, for: "its 1 package", logger: testLogger)
            let refused = await #expect(throws: GeneratorError.self) {
                try await second.ensure(bytes: 600, for: "its 1 package", logger: testLogger)
            }
            #expect(refused?.message.contains("(600 of them promised to composes generating on this node)") == true)
            await room.reservations.release(1)
            try await second.ensure(bytes: 600, for: "its 1 package", logger: testLogger)
        }
    }

    @Test func aComposeLargerThanTheVolumeFailsWithoutRemovingAnything() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let old = try await factory.insert { $0.targetDir = target.path }
            try await factory.execute("UPDATE composes SET state = 2, time_done = now() - interval '5 hours' WHERE id = \(old.id)")
            let room = Self.room(target, sweeps: factory.sweeps, minFree: 1000, free: { 10 })
            let space = ComposeSpace(room: room, layout: target.layout, composeID: 5, metrics: .shared)
            let capacity = try target.layout.capacityBytes()
            let refused = await #expect(throws: GeneratorError.self) {
                try await space.ensure(bytes: capacity, for: "its 3 packages", logger: testLogger)
            }
            #expect(refused?.message.contains("more than the volume (\(capacity) bytes) less min_free_space (1000 bytes)") == true)
            #expect(try await factory.compose(old.id).state == .done)
        }
    }
}
