import Foundation
import ODCSVolume
import SystemPackage
import Testing

/// Publishing decides from rename(2)'s own answer: whatever occupies `odcs-<id>` (a
/// directory, a file, a planted link) is found by the rename, not by a check before it.
@Suite struct VolumePublishTests {
    struct Scene {
        let base: String
        let layout: VolumeLayout

        init() throws {
            base = NSTemporaryDirectory() + "odcs-publish-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: base + "/volume", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
            try "precious".write(toFile: base + "/outside/file", atomically: false, encoding: .utf8)
            layout = VolumeLayout(targetDir: FilePath(base + "/volume"))
        }

        /// A staging directory holding one file that names it.
        func staging(attempt: Int) throws -> FilePath {
            let staging = try layout.makeStaging(id: 7, attempt: attempt)
            try "attempt \(attempt)".write(toFile: staging.appending("STATUS").string, atomically: false, encoding: .utf8)
            return staging
        }

        var publishedStatus: String? { try? String(contentsOfFile: base + "/volume/odcs-7/STATUS", encoding: .utf8) }
        var trashIsEmpty: Bool { (try? FileManager.default.contentsOfDirectory(atPath: base + "/volume/.trash"))?.isEmpty ?? true }

        func cleanUp() { try? FileManager.default.removeItem(atPath: base) }
    }

    @Test func publishIfAbsentLeavesAnEarlierAttemptInPlace() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        #expect(try scene.layout.publishIfAbsent(staging: try scene.staging(attempt: 1), id: 7))
        let second = try scene.staging(attempt: 2)
        #expect(try !scene.layout.publishIfAbsent(staging: second, id: 7))
        #expect(scene.publishedStatus == "attempt 1")
        #expect(FileManager.default.fileExists(atPath: second.string))
    }

    @Test func publishReplacesAnEarlierAttempt() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try scene.layout.publish(staging: try scene.staging(attempt: 1), id: 7)
        try scene.layout.publish(staging: try scene.staging(attempt: 2), id: 7)
        #expect(scene.publishedStatus == "attempt 2")
        // The earlier attempt waits in the trash for its grace period; a pass past it deletes it.
        #expect(!scene.trashIsEmpty)
        #expect(scene.layout.emptyTrash(grace: .seconds(600)).waiting == 1)
        #expect(scene.layout.emptyTrash(grace: .zero).removed.count == 1)
        #expect(scene.trashIsEmpty)
    }

    @Test func aPlantedLinkOrFileIsReplacedAndNeverFollowed() throws {
        let scene = try Scene()
        defer { scene.cleanUp() }
        try FileManager.default.createSymbolicLink(atPath: scene.base + "/volume/odcs-7", withDestinationPath: scene.base + "/outside")
        #expect(try !scene.layout.publishIfAbsent(staging: try scene.staging(attempt: 1), id: 7))
        try scene.layout.publish(staging: try scene.staging(attempt: 2), id: 7)
        #expect(scene.publishedStatus == "attempt 2")
        #expect(try String(contentsOfFile: scene.base + "/outside/file", encoding: .utf8) == "precious")

        try FileManager.default.removeItem(atPath: scene.base + "/volume/odcs-7")
        try "not a compose".write(toFile: scene.base + "/volume/odcs-7", atomically: false, encoding: .utf8)
        try scene.layout.publish(staging: try scene.staging(attempt: 3), id: 7)
        #expect(scene.publishedStatus == "attempt 3")
    }
}
