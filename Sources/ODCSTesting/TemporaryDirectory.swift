import Foundation
import SystemPackage

/// A fresh directory under the system temp dir for one test, removed afterwards.
///
///     try await TemporaryDirectory.with { dir in … dir.appending("repo") … }
public enum TemporaryDirectory {
    /// `parent` defaults to the system temp dir; a test that needs another filesystem passes
    /// one (say `/dev/shm`).
    public static func make(prefix: String = "odcs-test", in parent: FilePath? = nil) throws -> FilePath {
        let base = (parent ?? FilePath(NSTemporaryDirectory())).appending("\(prefix)-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(atPath: base.string, withIntermediateDirectories: true)
        return base
    }

    public static func with<R>(prefix: String = "odcs-test", in parent: FilePath? = nil, _ body: (FilePath) async throws -> R)
        async throws -> R
    {
        let directory = try make(prefix: prefix, in: parent)
        defer { try? FileManager.default.removeItem(atPath: directory.string) }
        return try await body(directory)
    }
}
