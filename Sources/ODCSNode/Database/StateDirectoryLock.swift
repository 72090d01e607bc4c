import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive `flock` on `<state_dir>/odcs.lock`: one node per state directory. The kernel
/// drops it when the process dies, so a killed node never leaves it held.
final class StateDirectoryLock: Sendable {
    let descriptor: Int32

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/odcs.lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EmbeddedPostgresError("cannot open \(path): errno \(errno)") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw EmbeddedPostgresError("another odcs node is using the state directory \(directory)")
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Process liveness from /proc: `kill(pid, 0)` also succeeds for zombies.
enum ProcessStatus {
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first.map { $0 != "Z" } ?? false
    }
}
