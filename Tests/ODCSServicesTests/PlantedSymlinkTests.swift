import Foundation
import ODCSCore
import ODCSGenerator
import ODCSServices
import ODCSStore
import ODCSTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whoever can write to the shared volume can plant links: to directories and files outside
/// it, to other composes, dangling ones. Expiry, the orphan sweep, disk pressure and trash
/// emptying unlink them and never delete through them.
@Suite struct PlantedSymlinkTests {
    /// A target dir and, beside it, a directory that nothing may ever touch.
    struct Scene {
        let target: TemporaryTargetDir
        let outside: String

        init() throws {
            target = try TemporaryTargetDir()
            outside = target.path + "-outside"
            try FileManager.default.createDirectory(atPath: outside + "/deeper", withIntermediateDirectories: true)
            try "precious".write(toFile: outside + "/file", atomically: false, encoding: .utf8)
            try "precious".write(toFile: outside + "/deeper/file", atomically: false, encoding: .utf8)
        }

        func link(_ name: String, to destination: String) throws {
            let path = target.path + "/" + name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: destination)
        }

        func present(_ name: String) -> Bool {
            var status = stat()
            return lstat(target.path + "/" + name, &status) == 0
        }

        var outsideIntact: Bool {
            (try? String(contentsOfFile: outside + "/file", encoding: .utf8)) == "precious"
                && (try? String(contentsOfFile: outside + "/deeper/file", encoding: .utf8)) == "precious"
        }

        func remove() {
            target.remove()
            try? FileManager.default.removeItem(atPath: outside)
        }
    }

    func done(_ factory: ComposeFactory, builds: String, hoursAgo: Int = 0) async throws -> Compose {
        let compose = try await factory.insert(builds: builds)
        try await factory.execute(
            """
            UPDATE composes SET state = 2, state_reason = 'Compose is generated successfully',
                time_done = now() - \(hoursAgo) * interval '1 hour' WHERE id = \(compose.id)
            """)
        return try await factory.compose(compose.id)
    }

    /// An orphan sweep that takes entries of any age.
    func sweeper(_ factory: ComposeFactory, _ scene: Scene) -> OrphanSweeper {
        var configuration = OrphanSweeper.Configuration(targetDirectories: scene.target.directories)
        configuration.minimumAge = .zero
        return OrphanSweeper(configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger)
    }

    @Test func expiryUnlinksAPlantedComposeLinkAndLeavesItsTarget() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let toOutside = try await done(factory, builds: "a")
            let toOther = try await done(factory, builds: "b")
            let alive = try await done(factory, builds: "c")
            let realWithLinks = try await done(factory, builds: "d")
            try scene.target.makeDirectory("odcs-\(alive.id)/compose")
            try scene.link("odcs-\(toOutside.id)", to: scene.outside)
            try scene.link("odcs-\(toOther.id)", to: "odcs-\(alive.id)")
            try scene.target.makeDirectory("odcs-\(realWithLinks.id)/compose")
            try scene.link("odcs-\(realWithLinks.id)/compose/escape", to: scene.outside)
            try scene.link("odcs-\(realWithLinks.id)/compose/file", to: scene.outside + "/file")
            try scene.link("odcs-\(realWithLinks.id)/dangling", to: scene.outside + "/nowhere")
            for compose in [toOutside, toOther, realWithLinks] { try await factory.expire(compose.id) }

            let worker = ExpiryWorker(
                configuration: .init(targetDirectories: scene.target.directories), sweeps: factory.sweeps, metrics: .shared,
                logger: testLogger)
            #expect(Set(try await worker.runOnce()) == [toOutside.id, toOther.id, realWithLinks.id])
            for compose in [toOutside, toOther, realWithLinks] { #expect(!scene.present("odcs-\(compose.id)")) }
            #expect(scene.target.exists("odcs-\(alive.id)/compose/content"))
            #expect(scene.outsideIntact)
            #expect(try FileManager.default.contentsOfDirectory(atPath: scene.target.path + "/.trash").isEmpty)
        }
    }

    @Test func theOrphanSweepUnlinksPlantedLinksAndNeverFollowsThem() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let alive = try await done(factory, builds: "a")
            try scene.target.makeDirectory("odcs-\(alive.id)/compose")
            try scene.link("odcs-999011", to: scene.outside)
            try scene.link("odcs-999012", to: scene.outside + "/file")
            try scene.link("odcs-999013", to: "odcs-\(alive.id)")
            try scene.link("odcs-999014", to: scene.outside + "/nowhere")
            try scene.link("latest-odcs-999015-1", to: scene.outside)
            try scene.link("odcs-999016-1-20200101.n.0", to: scene.outside + "/deeper")
            try scene.link(".staging/odcs-999017-1", to: scene.outside)
            try scene.link(".trash/odcs-999018-x", to: scene.outside)

            _ = try await sweeper(factory, scene).runOnce(fence: nil)

            for name in [
                "odcs-999011", "odcs-999012", "odcs-999013", "odcs-999014", "latest-odcs-999015-1", "odcs-999016-1-20200101.n.0",
                ".staging/odcs-999017-1", ".trash/odcs-999018-x",
            ] {
                #expect(!scene.present(name), "\(name)")
            }
            #expect(scene.target.exists("odcs-\(alive.id)/compose/content"))
            #expect(scene.outsideIntact)
        }
    }

    @Test func aTrashOrStagingThatIsALinkIsNeverEmptiedThroughIt() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            try scene.link(".trash", to: scene.outside)
            try scene.link(".staging", to: scene.outside)
            _ = try await sweeper(factory, scene).runOnce(fence: nil)
            #expect(scene.outsideIntact)
            // Nor does a new claim generate into it.
            #expect(throws: (any Error).self) { try scene.target.layout.makeStaging(id: 5, attempt: 1) }
            #expect(!FileManager.default.fileExists(atPath: scene.outside + "/odcs-5-1"))
        }
    }

    @Test func diskPressureUnlinksAPlantedLinkAndLeavesItsTarget() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let old = try await done(factory, builds: "a", hoursAgo: 5)
            try scene.link("odcs-\(old.id)", to: scene.outside)
            let removedOnce = Mutex(false)
            let guardian = DiskPressureGuard.testing(
                scene.target.directories, minFreeBytes: 1000, sweeps: factory.sweeps,
                freeBytes: { _ in
                    removedOnce.withLock { done in
                        defer { done = true }
                        return done ? 2000 : 500
                    }
                })
            #expect(try await guardian.runOnce(fence: nil) == [old.id])
            #expect(!scene.present("odcs-\(old.id)"))
            #expect(scene.outsideIntact)
        }
    }
}
