import Foundation
import ODCSClientKit
import ODCSNode
import ODCSTesting
import PostgresNIO
import Testing

/// A private PostgreSQL (not the shared test server, which other suites use at the same
/// time) restarted while two nodes work: they reconnect, no compose is lost, and an event
/// stream open across the restart keeps going.
@Suite(.serialized) struct DatabaseRestartTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pg-private.sh").path

    static func pg(_ arguments: [String]) async throws {
        try await TestCommand.run(["/bin/bash", script] + arguments)
    }

    @Test(.timeLimit(.minutes(5))) func nodesCarryOnAfterPostgresRestarts() async throws {
        let port = Int.random(in: 41000...49000)
        let dir = "/tmp/odcs-it-\(UInt32.random(in: 0...UInt32.max))"
        try await Self.pg(["start", dir, String(port)])
        do {
            try await run(port: port, dir: dir)
        } catch {
            try? await Self.pg(["stop", dir])
            throw error
        }
        try await Self.pg(["stop", dir])
    }

    func run(port: Int, dir: String) async throws {
        try await TestCluster.with(
            environment: ["ODCS_TEST_GENERATOR_WORK_MS": "400", "ODCS_NUM_CONCURRENT_PUNGI": "2"],
            serverURL: "postgres://app@127.0.0.1:\(port)/postgres"
        ) { cluster in
            try await cluster.start(0)
            try await cluster.start(1)
            var watcher = EventStreamClient(server: cluster.base(0), lastEventID: "0").events().makeAsyncIterator()
            for index in 0..<10 { _ = try await cluster.submit(index % 2, ClusterTests.build("before-\(index)")) }
            try await cluster.eventually("generation under way") { !cluster.journalEntries().isEmpty }
            try await Self.pg(["restart", dir])
            // The API answers again once its pool reconnects; then more work arrives.
            var submitted = 0
            try await cluster.eventually("API back", timeout: .seconds(60)) {
                let (status, _) = (try? await cluster.submit(submitted % 2, ClusterTests.build("after-\(submitted)"))) ?? (0, [:])
                if status == 200 { submitted += 1 }
                return submitted == 10
            }
            try await cluster.eventually("all 20 done", timeout: .seconds(120)) { (try? await cluster.states()[2]) == 20 }
            let ends = cluster.journalEntries().filter { $0.event == "end" }
            #expect(Set(ends.map(\.composeID)).count == 20)
            // The same stream, never reconnected, brings every compose's done.
            var done = Set<Int>()
            while done.count < 20, let event = try await watcher.next() {
                if let change = EventTests.state(event), change.state == "done" { done.insert(change.compose) }
            }
            #expect(done.count == 20)
        }
    }
}
