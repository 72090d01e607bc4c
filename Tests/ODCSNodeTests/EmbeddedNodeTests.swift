import Foundation
import ODCSTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The embedded default end to end: the real `odcs` binary starts its own PostgreSQL, keeps
/// data across restarts, recovers from being killed, and stops PostgreSQL when it stops.
@Suite(.serialized) struct EmbeddedNodeTests {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/odcs").path

    struct RunningNode {
        let process: Process
        let port: Int
        var base: String { "http://127.0.0.1:\(port)" }
    }

    func start(stateDir: String, port: Int) throws -> RunningNode {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "serve", "--state-dir", stateDir, "--port", String(port), "--target-dir", stateDir, "--log-level", "warning",
        ]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ODCS_") }
        environment["ODCS_EMBEDDED_POSTGRES_PORT"] = String(port + 1)
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return RunningNode(process: process, port: port)
    }

    /// Polls /readyz until the node answers (the signal that start-up finished) or gives up.
    func waitReady(_ node: RunningNode) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if !node.process.isRunning { throw NodeFailed(reason: "exited with \(node.process.terminationStatus)") }
            if let (_, status) = try? await request("GET", node.base + "/readyz"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw NodeFailed(reason: "not ready after 60 s")
    }

    struct NodeFailed: Error { var reason: String }

    /// Leaves nothing running when a test fails half-way (the node takes its PostgreSQL along).
    func stop(_ node: RunningNode) {
        if node.process.isRunning { kill(node.process.processIdentifier, SIGKILL) }
    }

    func request(_ method: String, _ url: String, body: String? = nil) async throws -> (Data, Int) {
        try await LiveHTTP.request(method, url, body: body)
    }

    func postmasterPID(_ stateDir: String) -> Int32? {
        guard let text = try? String(contentsOfFile: stateDir + "/postgres/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0) }
    }

    func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return false
        }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// Polls `condition` (a process exiting, a server going away) for up to 30 s.
    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    func waitExit(_ process: Process) async throws { try await waitUntil { !process.isRunning } }
    func waitGone(_ pid: Int32) async throws { try await waitUntil { !isAlive(pid) } }

    /// A fresh state directory and a port range for one test; the directory goes afterwards.
    func withStateDir(_ name: String, ports: Range<Int>, _ body: (String, Int) async throws -> Void) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build the odcs executable first")
        let stateDir = "/tmp/odcs-\(name)-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        try await body(stateDir, Int.random(in: ports))
    }

    @Test func embeddedDatabaseSurvivesAKillAndStopsWithTheNode() async throws {
        try await withStateDir("embedded", ports: 20_000..<26_000) { stateDir, port in

            let first = try start(stateDir: stateDir, port: port)
            defer { stop(first) }
            try await waitReady(first)
            let (created, status) = try await request(
                "POST", first.base + "/api/1/composes/", body: #"{"source":{"type":"repo","source":"/srv/repo"}}"#)
            #expect(status == 200)
            #expect(String(decoding: created, as: UTF8.self).contains(#""id":1"#))
            let firstPostgres = try #require(postmasterPID(stateDir))

            // A killed node leaves no server behind: PostgreSQL follows it (PR_SET_PDEATHSIG).
            kill(first.process.processIdentifier, SIGKILL)
            try await waitExit(first.process)
            try await waitGone(firstPostgres)
            #expect(!isAlive(firstPostgres))

            let second = try start(stateDir: stateDir, port: port)
            defer { stop(second) }
            try await waitReady(second)
            let (listed, _) = try await request("GET", second.base + "/api/1/composes/")
            #expect(String(decoding: listed, as: UTF8.self).contains(#""total":1"#))
            let secondPostgres = try #require(postmasterPID(stateDir))

            // SIGTERM: the node drains, then stops its PostgreSQL.
            second.process.terminate()
            try await waitExit(second.process)
            #expect(second.process.terminationStatus == 0)
            try await waitGone(secondPostgres)
            #expect(!isAlive(secondPostgres))
        }
    }

    @Test func orphanedServerFromAnEarlierRunIsStopped() async throws {
        try await withStateDir("orphan", ports: 26_000..<32_000) { stateDir, port in
            let first = try start(stateDir: stateDir, port: port)
            defer { stop(first) }
            try await waitReady(first)
            first.process.terminate()
            try await waitExit(first.process)

            // Start the cluster by hand, without a parent to follow, as a node from before
            // PDEATHSIG (or one whose signal was lost) would leave it.
            let pgctl = try #require(
                (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().last.map {
                    "/usr/lib/postgresql/\($0)/bin/pg_ctl"
                })
            let orphan = Process()
            orphan.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            let socketOptions = "-k \(stateDir)/run -p \(port + 1) -c listen_addresses="
            orphan.arguments =
                geteuid() == 0
                ? [
                    "--reuid=postgres", "--regid=postgres", "--clear-groups", "--", pgctl, "-D", stateDir + "/postgres", "-o",
                    socketOptions,
                    "-l", stateDir + "/postgres/orphan.log", "-w", "start",
                ]
                : []
            if geteuid() != 0 {
                orphan.executableURL = URL(fileURLWithPath: pgctl)
                orphan.arguments = ["-D", stateDir + "/postgres", "-o", socketOptions, "-w", "start"]
            }
            orphan.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            try orphan.run()
            // Ready once the server has written its pid file and opened its socket.
            try await waitUntil {
                postmasterPID(stateDir).map(isAlive) == true
                    && FileManager.default.fileExists(atPath: "\(stateDir)/run/.s.PGSQL.\(port + 1)")
            }
            let stale = try #require(postmasterPID(stateDir))
            defer { if isAlive(stale) { kill(stale, SIGINT) } }
            #expect(isAlive(stale))

            let second = try start(stateDir: stateDir, port: port)
            defer { stop(second) }
            try await waitReady(second)
            #expect(!isAlive(stale))
            #expect(postmasterPID(stateDir) != stale)
            second.process.terminate()
            try await waitExit(second.process)
            #expect(second.process.terminationStatus == 0)
        }
    }
}
