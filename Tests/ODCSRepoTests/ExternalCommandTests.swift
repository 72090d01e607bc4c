import Foundation
import ODCSRepo
import ODCSTesting
import ODCSVolume
import SystemPackage
import Testing

@Suite struct ExternalCommandTests {
    @Test func appendsStdoutAndStderrToTheLog() async throws {
        try await TemporaryDirectory.with { dir in
            let log = dir.appending("cmd.log")
            try "earlier\n".write(toFile: log.string, atomically: true, encoding: .utf8)
            try await ExternalCommand(["sh", "-c", "echo out; echo err >&2"], log: log, timeout: .seconds(30)).run()
            let text = try String(contentsOfFile: log.string, encoding: .utf8)
            #expect(text.hasPrefix("earlier\n$ ['sh', '-c', 'echo out; echo err >&2']\n"))
            #expect(text.contains("out\n"))
            #expect(text.contains("err\n"))
        }
    }

    @Test func theCommandRunsAtTheGenerationNiceValue() async throws {
        try await TemporaryDirectory.with { dir in
            let log = dir.appending("cmd.log")
            // The command's group is lowered just after it starts: it waits for that, then says
            // where it is (`nice` prints the niceness it inherits). One never lowered times out.
            let script = "while [ \"$(nice)\" != \(GenerationPriority.nice) ]; do :; done; echo nice=$(nice)"
            try await ExternalCommand(["sh", "-c", script], log: log, timeout: .seconds(30)).run()
            #expect(try String(contentsOfFile: log.string, encoding: .utf8).contains("nice=\(GenerationPriority.nice)\n"))
        }
    }

    @Test func nonZeroExitNamesTheCommandStatusAndLog() async throws {
        try await TemporaryDirectory.with { dir in
            let log = dir.appending("cmd.log")
            let error = await #expect(throws: RepoError.self) {
                try await ExternalCommand(["sh", "-c", "exit 3"], log: log, timeout: .seconds(30)).run()
            }
            #expect(error == .commandFailed(arguments: ["sh", "-c", "exit 3"], status: 3, log: log))
            #expect(error?.description == "Command '['sh', '-c', 'exit 3']' returned non-zero value 3, log: \(log)")
        }
    }

    @Test func missingProgramIsReportedAsNotStarted() async throws {
        try await TemporaryDirectory.with { dir in
            let error = await #expect(throws: RepoError.self) {
                try await ExternalCommand(["odcs-no-such-program"], log: dir.appending("cmd.log"), timeout: .seconds(30)).run()
            }
            guard case .commandNotStarted(let arguments, _) = error else {
                Issue.record("expected commandNotStarted, got \(String(describing: error))")
                return
            }
            #expect(arguments == ["odcs-no-such-program"])
        }
    }

    @Test func standardOutputCanGoToItsOwnFile() async throws {
        try await TemporaryDirectory.with { dir in
            let log = dir.appending("cmd.log")
            let output = dir.appending("out.txt")
            try await ExternalCommand(["sh", "-c", "printf data; echo diagnostics >&2"], log: log, timeout: .seconds(30))
                .run(standardOutputTo: output)
            #expect(try String(contentsOfFile: output.string, encoding: .utf8) == "data")
            #expect(try String(contentsOfFile: log.string, encoding: .utf8).contains("diagnostics"))
        }
    }

    /// The shell prints its pid (its process group, as a session leader) and leaves two
    /// background sleeps running; after the timeout nothing of that group may be alive.
    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        try await TemporaryDirectory.with { dir in
            let log = dir.appending("cmd.log")
            let script = "echo pgid=$$; sleep 300 & sleep 301 & wait"
            let command = ExternalCommand(
                ["bash", "-c", script], log: log, timeout: .seconds(1), terminationGrace: .milliseconds(200))
            let error = await #expect(throws: RepoError.self) { try await command.run() }
            #expect(error == .commandTimedOut(arguments: ["bash", "-c", script], timeout: .seconds(1), log: log))
            let group = try #require(Self.processGroup(inLog: log))
            #expect(await Self.survivors(ofProcessGroup: group).isEmpty)
        }
    }

    @Test func cancellationKillsTheWholeProcessGroup() async throws {
        try await TemporaryDirectory.with { dir in
            let log = dir.appending("cmd.log")
            let fifo = dir.appending("started")
            #expect(mkfifo(fifo.string, 0o600) == 0)
            // The script reports through the fifo once its grandchildren run, so the test
            // cancels a command that is known to be running, without sleeping.
            let script = "sleep 300 & sleep 301 & echo $$ > \(fifo.string); wait"
            let task = Task {
                try await ExternalCommand(["bash", "-c", script], log: log, timeout: .seconds(600), terminationGrace: .seconds(1)).run()
            }
            let group = try #require(Int32(try await Self.read(fifo: fifo).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(Self.members(ofProcessGroup: group).count >= 2)
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(await Self.survivors(ofProcessGroup: group).isEmpty)
        }
    }

    /// Opening a fifo blocks until the writer opens it, so it is read on a thread of its own.
    static func read(fifo: FilePath) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        let file = try FileDescriptor.open(fifo, .readOnly)
                        defer { try? file.close() }
                        var bytes = [UInt8](repeating: 0, count: 64)
                        let count = try bytes.withUnsafeMutableBytes { try file.read(into: $0) }
                        return String(decoding: bytes[..<count], as: UTF8.self)
                    })
            }.start()
        }
    }

    /// Signals are delivered asynchronously, so a killed process can still be listed for a
    /// moment: this waits (yielding, up to a generous bound) for the group to empty.
    static func survivors(ofProcessGroup group: Int32) async -> [Int32] {
        let bound = ContinuousClock.now + .seconds(10)
        var members = members(ofProcessGroup: group)
        while !members.isEmpty && ContinuousClock.now < bound {
            await Task.yield()
            members = self.members(ofProcessGroup: group)
        }
        return members
    }

    static func processGroup(inLog log: FilePath) -> Int32? {
        guard let text = try? String(contentsOfFile: log.string, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("pgid=") })
        else { return nil }
        return Int32(line.dropFirst(5))
    }

    /// Live (not zombie) processes whose process group is `group`, from /proc/<pid>/stat.
    static func members(ofProcessGroup group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // Fields after the command name: state ppid pgrp …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", Int32(fields[2]) == group else { return nil }
            return pid
        }
    }
}
