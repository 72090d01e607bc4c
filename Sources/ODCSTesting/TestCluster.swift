import Foundation
import Logging
import ODCSNode
import PostgresNIO

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Several real `odcs serve` processes (the debug binary) over one fresh database and one
/// target dir, for the multi-node tests. Nodes use the journal generator, so each test can
/// read who generated what, and when, from one file.
public final class TestCluster: @unchecked Sendable {
    public static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/odcs").path

    public let database: String
    public let databaseURL: String
    public let targetDir: String
    public let journal: String
    public let environment: [String: String]
    public let client: PostgresClient
    let lock = NSLock()
    var processes: [Int: Process] = [:]
    var ports: [Int: Int] = [:]

    /// A node's id in the registry: `node-<index>`.
    public static func nodeID(_ index: Int) -> String { "node-\(index)" }

    /// Creates the database, runs `body` with a cluster whose nodes the test starts, then
    /// kills every node and drops the database.
    public static func with<R: Sendable>(
        environment: [String: String] = [:], serverURL: String? = nil, _ body: @Sendable (TestCluster) async throws -> R
    ) async throws -> R {
        let server = try serverURL ?? TestDatabase.urlText
        let admin = try DatabaseURL(parsing: server)
        let database = "odcs_it_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        try await TestDatabase.withClient(admin.clientConfiguration(maxConnections: 1, connectTimeout: 10)) { client in
            try await client.query("CREATE DATABASE \(unescaped: database)", logger: TestDatabase.logger)
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("odcs-cluster-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/target", withIntermediateDirectories: true)
        var url = URLComponents(string: server)!
        url.path = "/" + database
        let databaseURL = url.string!
        var dbConfig = try DatabaseURL(parsing: databaseURL)
        dbConfig.database = database
        let result: Result<R, any Error>
        do {
            let value = try await TestDatabase.withClient(dbConfig.clientConfiguration(maxConnections: 4, connectTimeout: 10)) { client in
                let cluster = TestCluster(
                    database: database, databaseURL: databaseURL, root: root, environment: environment, client: client)
                defer { cluster.killAll() }
                return try await body(cluster)
            }
            result = .success(value)
        } catch {
            result = .failure(error)
        }
        try? await TestDatabase.withClient(admin.clientConfiguration(maxConnections: 1, connectTimeout: 10)) { client in
            try await client.query("DROP DATABASE IF EXISTS \(unescaped: database) WITH (FORCE)", logger: TestDatabase.logger)
        }
        try? FileManager.default.removeItem(atPath: root)
        return try result.get()
    }

    init(database: String, databaseURL: String, root: String, environment: [String: String], client: PostgresClient) {
        self.database = database
        self.databaseURL = databaseURL
        self.targetDir = root + "/target"
        self.journal = root + "/journal"
        self.environment = environment
        self.client = client
    }

    public func base(_ index: Int) -> String { "http://127.0.0.1:\(lock.withLock { ports[index] ?? 0 })" }

    /// A port that nothing listens on now, below the kernel's ephemeral range (32768+), so
    /// that an outgoing connection cannot take it between this check and the node's bind.
    static func freePort() -> Int {
        while true {
            let port = Int.random(in: 10000...32000)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if bound == 0 { return port }
        }
    }

    /// Starts node `index` and waits until its API answers `/readyz`. A node that exits at
    /// start (its port taken after all) is tried again on another port, twice.
    ///
    /// `fileLimit` sets the node's open-files limit (soft and hard, as `ulimit -n` does).
    ///
    /// `targetDir` gives the node another target dir than the cluster's; `expectReady` false
    /// waits only until `/readyz` answers, whatever it answers (a node that is not ready).
    public func start(
        _ index: Int, extraEnvironment: [String: String] = [:], fileLimit: Int? = nil, targetDir: String? = nil,
        expectReady: Bool = true
    ) async throws {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await startOnce(
                    index, port: Self.freePort(), extraEnvironment: extraEnvironment, fileLimit: fileLimit,
                    targetDir: targetDir ?? self.targetDir, expectReady: expectReady)
            } catch let error as ClusterError where error.exitedAtStart && attempt < 3 {
                continue
            }
        }
    }

    func startOnce(
        _ index: Int, port: Int, extraEnvironment: [String: String], fileLimit: Int?, targetDir: String, expectReady: Bool
    ) async throws {
        lock.withLock { ports[index] = port }
        let process = Process()
        // setpriv makes the node die with the test process, whatever happens to the test.
        var arguments = [
            "/usr/bin/setpriv", "--pdeathsig", "KILL", Self.binary, "serve", "--port", String(port), "--node-id", Self.nodeID(index),
            "--database-url", databaseURL, "--target-dir", targetDir, "--target-dir-url", "http://odcs.test/composes",
        ]
        // prlimit execs setpriv, which execs the node: one process, with the limit.
        if let fileLimit { arguments = ["/usr/bin/prlimit", "--nofile=\(fileLimit):\(fileLimit)", "--"] + arguments }
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ODCS_") }
        let defaults = [
            "ODCS_TEST_GENERATOR_JOURNAL": journal, "ODCS_LOG_LEVEL": "warning", "ODCS_POLL_INTERVAL_MS": "200",
            "ODCS_LEADER_CHECK_INTERVAL_MS": "300", "ODCS_RESCUE_INTERVAL_MS": "300", "ODCS_LEASE_TIMEOUT": "3",
            "ODCS_RETRY_BACKOFF": "0", "ODCS_EXPIRY_INTERVAL_MS": "300", "ODCS_ALLOWED_SOURCE_TYPES": "[\"build\", \"repo\", \"tag\"]",
        ]
        environment.merge(defaults) { $1 }
        environment.merge(self.environment) { $1 }
        environment.merge(extraEnvironment) { $1 }
        process.environment = environment
        // Each node's log goes to a file next to the journal; a failed start quotes it.
        let logPath = journal + ".node-\(index).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        lock.withLock { processes[index] = process }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                let tail = (try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(2000) ?? ""
                var error = ClusterError("node \(index) exited with \(process.terminationStatus) at start: \(tail)")
                error.exitedAtStart = true
                throw error
            }
            // Connection: close, so that no pooled connection of the probe counts against the
            // node's connection cap afterwards.
            if let response = try? await RawHTTPConnection.request(port: port, "GET", "/readyz", deadline: .now + .seconds(10)),
                response.status == 200 || !expectReady
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ClusterError("node \(index) not ready after 60 s")
    }

    public func pid(_ index: Int) -> Int32? { lock.withLock { processes[index]?.processIdentifier } }

    public func signal(_ index: Int, _ signal: Int32) {
        if let pid = pid(index) { kill(pid, signal) }
    }

    /// Waits for node `index` to exit; returns its exit status.
    public func waitExit(_ index: Int, timeout: Duration = .seconds(120)) async throws -> Int32 {
        guard let process = lock.withLock({ processes[index] }) else { throw ClusterError("no node \(index)") }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw ClusterError("node \(index) did not exit") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    public func killAll() {
        for process in lock.withLock({ Array(processes.values) }) where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }

    /// POST a compose request to node `index`; returns (status, JSON object).
    public func submit(_ index: Int, _ body: String) async throws -> (Int, [String: Any]) {
        let (data, status) = try await request("POST", base(index) + "/api/1/composes/", body: body)
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    public func request(_ method: String, _ url: String, body: String? = nil) async throws -> (Data, Int) {
        try await LiveHTTP.request(method, url, body: body, timeout: 30)
    }

    /// Polls `condition` every 100 ms until it holds (there is no push signal from another
    /// process's commit) or the time runs out.
    public func eventually(_ what: String, timeout: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw ClusterError("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The journal's lines: (event, compose id, attempt, node, ns).
    public func journalEntries() -> [JournalEntry] {
        guard let text = try? String(contentsOfFile: journal, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 5, let id = Int64(parts[1]), let attempt = Int(parts[2]), let time = Int64(parts[4]) else { return nil }
            return JournalEntry(event: String(parts[0]), composeID: id, attempt: attempt, node: String(parts[3]), nanoseconds: time)
        }
    }

    /// Count of composes per state number.
    public func states() async throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        let rows = try await client.query("SELECT state, count(*)::bigint FROM composes GROUP BY state", logger: TestDatabase.logger)
        for try await (state, count) in rows.decode((Int, Int).self) { counts[state] = count }
        return counts
    }

    public struct ClusterError: Error, CustomStringConvertible {
        public var description: String
        public var exitedAtStart = false
        public init(_ description: String) { self.description = description }
    }
}

public struct JournalEntry: Sendable, Equatable {
    public var event: String
    public var composeID: Int64
    public var attempt: Int
    public var node: String
    public var nanoseconds: Int64
}
