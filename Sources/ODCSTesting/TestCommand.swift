import Subprocess
import SystemPackage

/// Runs a helper command from a test to completion (swift-subprocess; Foundation's `Process`
/// can miss the exit of a child whose own children live on, like `pg_ctl start`).
public enum TestCommand {
    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(_ argv: [String]) async throws {
        let result = try await Subprocess.run(
            .path(FilePath(argv[0])), arguments: Arguments(Array(argv.dropFirst())), output: .discarded,
            error: .string(limit: 1 << 16))
        guard result.terminationStatus.isSuccess else {
            throw Failed(description: "\(argv) ended with \(result.terminationStatus): \(result.standardError)")
        }
    }
}
