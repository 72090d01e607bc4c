import Foundation
import Subprocess
import SystemPackage

/// Runs a fixture tool (rpmbuild, createrepo_c, gzip) to completion and fails the test with its output
/// when it exits non-zero. Asynchronous (swift-subprocess): a blocking wait would hold one of the
/// few threads every test shares while rpmbuild runs, and stall the rest of the test run.
enum CommandRunner {
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "\(command) failed:\n\(output)" }
    }

    static func run(_ executable: String, _ arguments: [String], log: URL) async throws {
        let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments), output: .string(limit: 1 << 22),
            error: .combinedWithOutput)
        try? result.standardOutput.write(to: log, atomically: true, encoding: .utf8)
        guard result.terminationStatus.isSuccess else {
            throw Failure(command: ([executable] + arguments).joined(separator: " "), output: String(result.standardOutput.suffix(4000)))
        }
    }
}
