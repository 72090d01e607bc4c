import Foundation
import SystemPackage

/// A fresh directory under the system temp dir for one test, removed afterwards.
///
///     try await TemporaryDirectory.with { dir in … dir.appending("repo") … }
public enum TemporaryDirectory {
    public static func make(prefix: String = "odcs-test") throws -> FilePath {
        let base = FilePath(NSTemporaryDirectory()).appending("\(prefix)-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(atPath: base.string, withIntermediateDirectories: true)
        return base
    }

    public static func with<R>(prefix: String = "odcs-test", _ body: (FilePath) async throws -> R) async throws -> R {
        let directory = try make(prefix: prefix)
        defer { try? FileManager.default.removeItem(atPath: directory.string) }
        return try await body(directory)
    }
}
