import Foundation
import Logging
import SystemPackage

/// A generator's own log of what it did, one line per step, kept in the compose directory
/// (`logs/global/<name>.global.log`) so that it is published with the compose, and copied
/// to the worker's logger.
struct StepLog: Sendable {
    private let file: FileDescriptor?
    private let logger: Logger

    init(path: FilePath, logger: Logger) {
        self.logger = logger
        try? FileManager.default.createDirectory(
            atPath: path.removingLastComponent().string, withIntermediateDirectories: true)
        file = try? FileDescriptor.open(
            path, .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite, .groupRead, .otherRead])
    }

    /// To the logger only: resolution runs before the compose has a directory.
    init(logger: Logger) {
        self.logger = logger
        file = nil
    }

    func info(_ message: String) {
        write("INFO", message)
        logger.info("\(message)")
    }

    func error(_ message: String) {
        write("ERROR", message)
        logger.error("\(message)")
    }

    func close() {
        try? file?.close()
    }

    /// Pungi's layout (`2024-01-01 10:00:00 [INFO    ] text`), so that tools reading Pungi
    /// logs read this one too.
    private func write(_ level: String, _ message: String) {
        guard let file else { return }
        let now = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date())
        let time = String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", now.year ?? 0, now.month ?? 0, now.day ?? 0, now.hour ?? 0, now.minute ?? 0,
            now.second ?? 0)
        let padded = level.padding(toLength: 8, withPad: " ", startingAt: 0)
        _ = try? file.writeAll("\(time) [\(padded)] \(message)\n".utf8)
    }
}
