import Foundation
import Logging
import ODCSGenerator
import ODCSServices
import ODCSStore
import ODCSTesting
import ODCSVolume
import SystemPackage

/// A fresh target dir per test, removed afterwards.
struct TemporaryTargetDir {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("odcs-target-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// With no trash grace period: the services' tests look at the trash right after a pass
    /// (TrashTests give one).
    var directories: TargetDirectories {
        var directories = TargetDirectories(defaultDir: FilePath(path), defaultURL: "http://odcs.example/composes")
        directories.trashGrace = .zero
        return directories
    }
    var layout: VolumeLayout { VolumeLayout(targetDir: FilePath(path)) }

    func makeDirectory(_ name: String, file: String = "content") throws {
        let directory = path + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "x".write(toFile: directory + "/" + file, atomically: false, encoding: .utf8)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension ServiceMetrics {
    static let shared = ServiceMetrics()
}

let testLogger = TestDatabase.logger
