import Foundation
import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// Slow and hostile clients against a real `odcs serve` process over loopback (issue 14,
/// item 6): each timeout closes what it is for, the connection cap holds connections back
/// until one closes, and a flood of idle sockets leaves the duty leaders and `/readyz` alone.
///
/// The timeouts are short (1 s) and the other ones long (120 s); the tests wait for the
/// socket to close with a deadline far below the long ones, so a close can only come from the
/// timeout under test. Nothing asserts how fast anything happened.
@Suite(.serialized) struct SlowClientTests {
    static let long = "120"

    static func environment(header: String = long, body: String = long, idle: String = long, maxConnections: String? = nil)
        -> [String: String]
    {
        var environment = [
            "ODCS_HTTP_HEADER_TIMEOUT_SECONDS": header, "ODCS_HTTP_BODY_TIMEOUT_SECONDS": body, "ODCS_HTTP_IDLE_TIMEOUT_SECONDS": idle,
            "ODCS_NUM_CONCURRENT_PUNGI": "0",
        ]
        if let maxConnections { environment["ODCS_HTTP_MAX_CONNECTIONS"] = maxConnections }
        return environment
    }

    /// Well below the long timeouts: a close before it is the short timeout's.
    static var closeDeadline: ContinuousClock.Instant { .now + .seconds(60) }

    func port(_ cluster: TestCluster) throws -> Int { try #require(URL(string: cluster.base(0))?.port) }

    @Test(.timeLimit(.minutes(3))) func aTrickledRequestHeadIsClosedAfterTheHeaderTimeout() async throws {
        try await TestCluster.with(environment: Self.environment(header: "1")) { cluster in
            try await cluster.start(0)
            let connection = try RawHTTPConnection(port: try port(cluster))
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
            // One header line every 200 ms: the head never ends, the bytes never stop.
            let lines = try await Self.trickle(connection, every: .milliseconds(200)) { "X-Slow-\($0): y\r\n" }
            #expect(connection.isClosedByServer, "the slowloris head was still open after \(lines) lines")
            #expect(!connection.hasReceivedData, "a timed-out head gets no answer")
        }
    }

    @Test(.timeLimit(.minutes(3))) func aTrickledBodyIsClosedAfterTheBodyTimeout() async throws {
        try await TestCluster.with(environment: Self.environment(body: "1")) { cluster in
            try await cluster.start(0)
            let connection = try RawHTTPConnection(port: try port(cluster))
            try await connection.send("POST /api/1/composes/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
            // Ten bytes every 100 ms: steady, and far from the end of the body.
            let pieces = try await Self.trickle(connection, every: .milliseconds(100)) { _ in "          " }
            #expect(connection.isClosedByServer, "the trickled body was still open after \(pieces * 10) bytes")
            #expect(try await cluster.states().isEmpty, "no compose came of it")
        }
    }

    @Test(.timeLimit(.minutes(3))) func anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await TestCluster.with(environment: Self.environment(idle: "1")) { cluster in
            try await cluster.start(0)
            let connection = try RawHTTPConnection(port: try port(cluster))
            for _ in 0..<2 {
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await connection.readResponse().status == 200)
            }
            #expect(try await connection.waitForClose(deadline: Self.closeDeadline))
        }
    }

    @Test(.timeLimit(.minutes(3))) func connectionsBeyondTheCapWaitUntilOneCloses() async throws {
        try await TestCluster.with(environment: Self.environment(maxConnections: "2")) { cluster in
            try await cluster.start(0)
            let port = try port(cluster)
            func get(_ connection: RawHTTPConnection) async throws -> Int {
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                return try await connection.readResponse().status
            }
            let first = try RawHTTPConnection(port: port)
            let second = try RawHTTPConnection(port: port)
            #expect(try await get(first) == 200)
            #expect(try await get(second) == 200)
            // The third connects (the kernel's backlog takes it) but is not accepted.
            let third = try RawHTTPConnection(port: port)
            try await third.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            // The node is serving meanwhile: a request on an open connection, sent after the
            // third's, is answered while the third's is not.
            #expect(try await get(second) == 200)
            #expect(!third.hasReceivedData)
            first.close()
            #expect(try await third.readResponse().status == 200)
            #expect(try await get(second) == 200)
        }
    }

    @Test(.timeLimit(.minutes(5))) func aFloodOfIdleSocketsLeavesTheLeadersAndReadiness() async throws {
        // ulimit -n 1024 for the node: a flood of 3,000 would take every descriptor without
        // the cap; the node lowers its cap to what the limit leaves (and says so).
        // Leader checks every second (production: 3 s) instead of the test cluster's 300 ms: a
        // check must answer within its interval, and on two cores shared with the whole parallel
        // suite a node accepting 3,000 connections missed a 300 ms deadline once in CI, which
        // moved every duty's term without any descriptor running out.
        var environment = Self.environment(header: "2", idle: "2")
        environment["ODCS_LEADER_CHECK_INTERVAL_MS"] = "1000"
        try await TestCluster.with(environment: environment) { cluster in
            try await cluster.start(0, fileLimit: 1024)
            let port = try port(cluster)
            let pid = try #require(cluster.pid(0))
            let duties = 6
            try await cluster.eventually("node-0 holds every duty") {
                let terms = try await LeaderStore.terms(client: cluster.client, logger: TestDatabase.logger)
                return terms.count == duties && terms.allSatisfy { $0.holder == TestCluster.nodeID(0) }
            }
            let before = try await LeaderStore.terms(client: cluster.client, logger: TestDatabase.logger).map { [$0.duty, "\($0.term)"] }

            var flood: [RawHTTPConnection] = []
            for _ in 0..<3000 { flood.append(try RawHTTPConnection(port: port)) }
            var mostOpen = 0
            // /readyz through the flood: it waits its turn in the backlog, then answers.
            let deadline = ContinuousClock.now + .seconds(180)
            var ready = false
            while !ready, ContinuousClock.now < deadline {
                mostOpen = max(mostOpen, Self.openFiles(pid))
                let response = try? await RawHTTPConnection.request(port: port, "GET", "/readyz", deadline: .now + .seconds(30))
                ready = response?.status == 200
            }
            #expect(ready)
            // Keep the flood open a few leader checks longer (1 s each) while sampling.
            let nodes = try await RawHTTPConnection.request(port: port, "GET", "/api/1/nodes/", deadline: .now + .seconds(120))
            mostOpen = max(mostOpen, Self.openFiles(pid))
            #expect(nodes.status == 200)
            #expect(nodes.text.components(separatedBy: "\"holder\":\"node-0\"").count - 1 == duties, "\(nodes.text)")
            let after = try await LeaderStore.terms(client: cluster.client, logger: TestDatabase.logger).map { [$0.duty, "\($0.term)"] }
            #expect(after == before, "a duty changed hands during the flood")
            #expect(mostOpen < 1024, "the node used every file descriptor")
            for connection in flood { connection.close() }
            let log = (try? String(contentsOfFile: cluster.journal + ".node-0.log", encoding: .utf8)) ?? ""
            #expect(log.contains("ulimit -n is 1024"), "the lowered cap is logged")
            #expect(!log.contains("Too many open files"))
        }
    }

    /// Sends `piece(n)` for n = 0, 1, ... at this pace until the server closes the connection
    /// or `closeDeadline` passes; returns how many pieces went out.
    static func trickle(_ connection: RawHTTPConnection, every pause: Duration, _ piece: (Int) -> String) async throws -> Int {
        let deadline = closeDeadline
        var count = 0
        while !connection.isClosedByServer, ContinuousClock.now < deadline {
            try? await connection.send(piece(count))
            count += 1
            try await Task.sleep(for: pause)
        }
        return count
    }

    /// The node's open file descriptors now.
    static func openFiles(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }
}
