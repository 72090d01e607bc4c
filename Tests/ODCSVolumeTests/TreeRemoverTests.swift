import Foundation
import ODCSVolume
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Removal never follows a symlink out of its root: planted links to directories and files
/// outside, to other composes and dangling ones are unlinked, never deleted through.
@Suite struct TreeRemoverTests {
    /// `volume/` (the root) beside `outside/`, which must survive every test untouched.
    struct Scene {
        let base: String
        var volume: String { base + "/volume" }
        var outside: String { base + "/outside" }
        let root: ConfinedPath

        init() throws {
            base = NSTemporaryDirectory() + "odcs-remover-" + UUID().uuidString.prefix(8)
            root = try ConfinedPath(root: FilePath(base + "/volume"))
            for directory in ["/volume", "/outside/keep/deeper"] {
                try FileManager.default.createDirectory(atPath: base + directory, withIntermediateDirectories: true)
            }
            try "precious".write(toFile: outside + "/keep/file", atomically: false, encoding: .utf8)
            try "precious".write(toFile: outside + "/keep/deeper/file", atomically: false, encoding: .utf8)
        }

        func make(_ relative: String, file: Bool = false) throws {
            let path = volume + "/" + relative
            if file {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try "x".write(toFile: path, atomically: false, encoding: .utf8)
            } else {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            }
        }

        func link(_ relative: String, to destination: String) throws {
            try FileManager.default.createSymbolicLink(atPath: volume + "/" + relative, withDestinationPath: destination)
        }

        func exists(_ path: String) -> Bool {
            var status = stat()
            return lstat(path, &status) == 0
        }

        var outsideIntact: Bool {
            (try? String(contentsOfFile: outside + "/keep/file", encoding: .utf8)) == "precious"
                && (try? String(contentsOfFile: outside + "/keep/deeper/file", encoding: .utf8)) == "precious"
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: base) }
    }

    @Test func removesARealTreeWithItsFilesAndLinks() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.make("odcs-1/compose/Temporary/x86_64/os/Packages/f/foo.rpm", file: true)
        try scene.make("odcs-1/logs/global")
        try scene.link("odcs-1/logs/escape", to: scene.outside + "/keep")
        try scene.link("odcs-1/compose/file-link", to: scene.outside + "/keep/file")
        try scene.link("odcs-1/dangling", to: scene.base + "/nowhere")

        #expect(try TreeRemover.remove(scene.root.appending("odcs-1")))
        #expect(!scene.exists(scene.volume + "/odcs-1"))
        #expect(scene.outsideIntact)
    }

    @Test func aLinkIsUnlinkedNotResolved() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.make("odcs-2/compose", file: false)
        try scene.link("odcs-999011", to: scene.outside + "/keep")
        try scene.link("odcs-3", to: "odcs-2")
        try scene.link("odcs-4", to: scene.outside + "/keep/file")

        for name in ["odcs-999011", "odcs-3", "odcs-4"] {
            #expect(try TreeRemover.remove(scene.root.appending(name)))
            #expect(!scene.exists(scene.volume + "/" + name))
        }
        #expect(scene.exists(scene.volume + "/odcs-2/compose"))
        #expect(scene.outsideIntact)
    }

    @Test func aLinkOnTheWayIsRefused() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.link(".trash", to: scene.outside)
        #expect(throws: PathError.self) { try TreeRemover.remove(scene.root.appending(".trash/keep")) }
        #expect(throws: PathError.self) { try TreeRemover.removeContents(of: scene.root.appending(".trash")) }
        #expect(scene.outsideIntact)
    }

    @Test func nothingThereIsNotAnError() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        #expect(try !TreeRemover.remove(scene.root.appending("odcs-5")))
        #expect(try !TreeRemover.remove(scene.root.appending(".trash/odcs-5-x")))
    }

    @Test func removeContentsKeepsTheDirectory() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.make(".trash/odcs-1-a/compose", file: false)
        try scene.make(".trash/odcs-2-b", file: true)
        try scene.link(".trash/odcs-3-c", to: scene.outside + "/keep")
        try TreeRemover.removeContents(of: scene.root.appending(".trash"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scene.volume + "/.trash").isEmpty)
        #expect(scene.outsideIntact)
    }

    @Test func namesThatAreNotUTF8AreRemovedToo() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.make("odcs-6")
        let bytes: [UInt8] = Array((scene.volume + "/odcs-6/").utf8) + [0xff, 0xfe, 0x41, 0]
        let fd = bytes.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        #expect(try TreeRemover.remove(scene.root.appending("odcs-6")))
        #expect(!scene.exists(scene.volume + "/odcs-6"))
    }

    @Test func theRootItselfIsNeverRemoved() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        #expect(throws: PathError.self) { try TreeRemover.remove(scene.root) }
        #expect(scene.exists(scene.volume))
    }
}
