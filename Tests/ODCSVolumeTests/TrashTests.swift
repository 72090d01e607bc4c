import Foundation
import ODCSVolume
import SystemPackage
import Testing

/// The trash keeps a removed compose for its grace period, leaves a tree whose files a reader
/// still holds open (NFS's silly-renamed `.nfs…` files) for a later pass, and deletes early
/// only when forced (disk pressure).
@Suite struct TrashTests {
    struct Scene {
        let base: String
        let layout: VolumeLayout

        init() throws {
            base = NSTemporaryDirectory() + "odcs-trash-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: base + "/volume", withIntermediateDirectories: true)
            layout = VolumeLayout(targetDir: FilePath(base + "/volume"))
        }

        /// Publishes compose `id` (one package file) and removes it: it goes to the trash.
        func removed(id: Int64, extra: [String] = []) throws {
            let staging = try layout.makeStaging(id: id, attempt: 1)
            try FileManager.default.createDirectory(atPath: staging.string + "/compose/x86_64", withIntermediateDirectories: true)
            for file in ["compose/x86_64/foo.rpm"] + extra {
                try "data".write(toFile: staging.string + "/" + file, atomically: false, encoding: .utf8)
            }
            try layout.publish(staging: staging, id: id)
            #expect(try layout.removePublished(id: id))
        }

        var trash: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: base + "/volume/.trash")) ?? []).sorted() }

        func cleanUp() { try? FileManager.default.removeItem(atPath: base) }
    }

    @Test func aRemovedComposeStaysInTheTrashForItsGracePeriod() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.removed(id: 3)
        #expect(!FileManager.default.fileExists(atPath: scene.base + "/volume/odcs-3"))
        #expect(scene.trash.count == 1 && scene.trash[0].hasPrefix("odcs-3-"))
        // A reader that opened a file before the removal still reads it through the trash.
        let file = scene.base + "/volume/.trash/" + scene.trash[0] + "/compose/x86_64/foo.rpm"
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "data")

        var pass = scene.layout.emptyTrash(grace: .seconds(600))
        #expect(pass.waiting == 1 && pass.removed.isEmpty && pass.forced.isEmpty)
        pass = scene.layout.emptyTrash(grace: .seconds(600), now: Date().addingTimeInterval(601))
        #expect(pass.removed.count == 1 && pass.forced.isEmpty && pass.waiting == 0)
        #expect(scene.trash.isEmpty)
    }

    @Test func aTreeWithFilesAReaderHoldsOpenIsLeftForALaterPass() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        // What an NFS client leaves of a file unlinked while one of its processes has it open.
        try scene.removed(id: 4, extra: ["compose/x86_64/.nfs000000000123abcd00000001"])
        let entry = scene.base + "/volume/.trash/" + scene.trash[0]
        var pass = scene.layout.emptyTrash(grace: .zero)
        #expect(pass.removed.isEmpty && pass.failed.isEmpty)
        #expect(pass.busy.count == 1)
        #expect(pass.busy.first?.reason.contains("Directory not empty") == true)
        // Everything but the held file is gone; the held file is untouched.
        #expect(!FileManager.default.fileExists(atPath: entry + "/compose/x86_64/foo.rpm"))
        #expect(FileManager.default.fileExists(atPath: entry + "/compose/x86_64/.nfs000000000123abcd00000001"))

        // The reader closes: its client deletes the file, and the next pass finishes the tree.
        try FileManager.default.removeItem(atPath: entry + "/compose/x86_64/.nfs000000000123abcd00000001")
        pass = scene.layout.emptyTrash(grace: .zero)
        #expect(pass.removed.count == 1 && pass.busy.isEmpty)
        #expect(scene.trash.isEmpty)
    }

    @Test func aFUSEClientsHiddenFileIsHeldToo() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.removed(id: 7, extra: ["compose/.fuse_hidden0000000a00000001"])
        #expect(scene.layout.emptyTrash(grace: .zero).busy.count == 1)
    }

    @Test func aForcedPassDeletesEntriesInTheirGracePeriodAndHeldFiles() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.removed(id: 5)
        try scene.removed(id: 6, extra: ["compose/.nfs0000000000000001", "compose/.fuse_hidden0000000100000002"])
        let pass = scene.layout.emptyTrash(grace: .seconds(600), force: true)
        #expect(pass.removed.count == 2 && pass.forced.count == 2 && pass.busy.isEmpty)
        #expect(scene.trash.isEmpty)
    }

    @Test func anEntryOfTheOlderLayoutIsAgedByItsLastChange() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        // `odcs-<id>-<nonce>`, as nodes before the grace period named them: no time in the name.
        try FileManager.default.createDirectory(atPath: scene.base + "/volume/.trash/odcs-9-x1/compose", withIntermediateDirectories: true)
        #expect(scene.layout.emptyTrash(grace: .seconds(600)).waiting == 1)
        #expect(scene.layout.emptyTrash(grace: .seconds(600), now: Date().addingTimeInterval(601)).removed == ["odcs-9-x1"])
    }

    @Test func noTrashYetIsAnEmptyPass() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        #expect(scene.layout.emptyTrash(grace: .zero) == VolumeLayout.TrashPass())
    }
}
