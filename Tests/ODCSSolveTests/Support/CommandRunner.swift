import Foundation

/// Runs a fixture tool (rpmbuild, createrepo_c, gzip) to completion and fails the test with its output
/// when it exits non-zero.
enum CommandRunner {
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "\(command) failed:\n\(output)" }
    }

    static func run(_ executable: String, _ arguments: [String], log: URL) throws {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Output goes to a file, not a pipe, so a chatty tool cannot block on a full pipe buffer.
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Failure(command: ([executable] + arguments).joined(separator: " "), output: String(output.suffix(4000)))
        }
    }
}
