import Foundation
import ODCSTesting
import PostgresNIO
import Testing

/// Three real `odcs serve` processes over one database and one target dir (issue 3's
/// multi-node cases). The journal generator records every generation, so "generated exactly
/// once" is read from one file all nodes append to.
@Suite(.serialized) struct ClusterTests {
    static func build(_ name: String, noReuse: Bool = true) -> String {
        #"{"source": {"type": "build", "source": "", "builds": ["\#(name)"]}\#(noReuse ? #", "flags": ["no_reuse"]"# : "")}"#
    }

    /// Every compose id's journal lines, grouped.
    static func runs(_ entries: [JournalEntry]) -> [Int64: [JournalEntry]] { Dictionary(grouping: entries, by: \.composeID) }

    @Test(.timeLimit(.minutes(5))) func threeHundredComposesEachGeneratedOnce() async throws {
        try await TestCluster.with(environment: ["ODCS_NUM_CONCURRENT_PUNGI": "4"]) { cluster in
            for index in 0..<3 { try await cluster.start(index) }
            // 30 submissions in flight: concurrent on every node, without a queue of 300 waiting
            // requests whose 30 s timeouts run out on a loaded machine (the POST's speed is the
            // API benchmark's business, not this test's).
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                func submitNext() {
                    guard next < 300 else { return }
                    let index = next
                    next += 1
                    group.addTask {
                        let (status, _) = try await cluster.submit(index % 3, Self.build("pkg-\(index)-1-1"))
                        #expect(status == 200)
                    }
                }
                for _ in 0..<30 { submitNext() }
                while try await group.next() != nil { submitNext() }
            }
            try await cluster.eventually("300 composes done") { try await cluster.states()[2] == 300 }
            let runs = Self.runs(cluster.journalEntries())
            #expect(runs.count == 300)
            for (id, entries) in runs {
                #expect(entries.map(\.event) == ["start", "end"], "compose \(id)")
            }
            // The work was shared.
            #expect(Set(runs.values.flatMap { $0.map(\.node) }).count == 3)
        }
    }

    @Test(.timeLimit(.minutes(5))) func killedNodesComposesAreFinishedElsewhereOnce() async throws {
        try await TestCluster.with(environment: ["ODCS_TEST_GENERATOR_WORK_MS": "2500", "ODCS_NUM_CONCURRENT_PUNGI": "3"]) { cluster in
            for index in 0..<3 { try await cluster.start(index) }
            for index in 0..<9 { _ = try await cluster.submit(index % 3, Self.build("kill-\(index)")) }
            // Wait until node 0 is generating something, then kill it mid-generation.
            try await cluster.eventually("node 0 generating") {
                cluster.journalEntries().contains { $0.node == TestCluster.nodeID(0) && $0.event == "start" }
            }
            cluster.signal(0, SIGKILL)
            let killedAt = cluster.journalEntries().filter { $0.node == TestCluster.nodeID(0) }
            try await cluster.eventually("all 9 done") { try await cluster.states()[2] == 9 }

            let runs = Self.runs(cluster.journalEntries())
            for (id, entries) in runs {
                let ends = entries.filter { $0.event == "end" }
                #expect(ends.count == 1, "compose \(id) finished \(ends.count) times")
                // Attempts follow each other (an attempt killed between its claim and the
                // generator's start leaves no line), and only the last attempt ends.
                let attempts = entries.filter { $0.event == "start" }.map(\.attempt)
                #expect(attempts == attempts.sorted() && Set(attempts).count == attempts.count, "compose \(id) attempts \(attempts)")
                #expect(ends.first?.attempt == attempts.last)
            }
            // What node 0 had started without finishing went to another node.
            let orphaned = Set(killedAt.filter { $0.event == "start" }.map(\.composeID))
                .subtracting(killedAt.filter { $0.event == "end" }.map(\.composeID))
            #expect(!orphaned.isEmpty)
            for id in orphaned {
                #expect(runs[id]?.last?.node != TestCluster.nodeID(0))
            }
            var generating = 0
            for try await count in try await cluster.client.query("SELECT count(*)::bigint FROM composes WHERE state = 1", logger: nil)
                .decode(Int.self)
            {
                generating = count
            }
            #expect(generating == 0)
        }
    }

    @Test(.timeLimit(.minutes(3))) func killedDutyLeaderIsReplacedWithAHigherTerm() async throws {
        try await TestCluster.with { cluster in
            for index in 0..<3 { try await cluster.start(index) }
            func holder() async throws -> (String, Int64)? {
                let rows = try await cluster.client.query("SELECT holder, term FROM leader WHERE duty = 'lease_rescue'", logger: nil)
                for try await row in rows.decode((String, Int64).self) { return row }
                return nil
            }
            try await cluster.eventually("a lease_rescue leader") { try await holder() != nil }
            let (leader, term) = try #require(try await holder())
            let index = try #require(Int(leader.split(separator: "-").last ?? ""))
            cluster.signal(index, SIGKILL)
            try await cluster.eventually("a new leader", timeout: .seconds(30)) {
                guard let (now, newTerm) = try await holder() else { return false }
                return now != leader && newTerm > term
            }
        }
    }

    @Test(.timeLimit(.minutes(3))) func hundredIdenticalRequestsGenerateOnce() async throws {
        try await TestCluster.with(environment: ["ODCS_TEST_GENERATOR_WORK_MS": "300", "ODCS_NUM_CONCURRENT_PUNGI": "4"]) { cluster in
            for index in 0..<3 { try await cluster.start(index) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<100 {
                    group.addTask { _ = try await cluster.submit(index % 3, Self.build("same-1-1", noReuse: false)) }
                }
                try await group.waitForAll()
            }
            try await cluster.eventually("100 done") { try await cluster.states()[2] == 100 }
            let starts = cluster.journalEntries().filter { $0.event == "start" }
            #expect(starts.count == 1)
            let generated = try #require(starts.first?.composeID)
            var reusing = 0
            let rows = try await cluster.client.query(
                "SELECT count(*)::bigint FROM composes WHERE reused_id = \(generated) AND state = 2", logger: nil)
            for try await count in rows.decode(Int.self) { reusing = count }
            #expect(reusing == 99)
        }
    }

    @Test(.timeLimit(.minutes(3))) func expiryRemovesEachExpiredComposeOnceAndNothingElse() async throws {
        // No trash grace period: the removed composes' files must be gone, trash included.
        try await TestCluster.with(environment: ["ODCS_NUM_CONCURRENT_PUNGI": "4", "ODCS_TRASH_GRACE": "0"]) { cluster in
            for index in 0..<3 { try await cluster.start(index) }
            for index in 0..<30 {
                let ttl = index < 20 ? 1 : 3600
                _ = try await cluster.submit(
                    index % 3,
                    #"{"source": {"type": "build", "source": "", "builds": ["exp-\#(index)"]}, "seconds_to_live": \#(ttl)}"#)
            }
            // Expiry commits `removed` first and removes the files after (two phases, the orphan
            // sweep retries what is left): wait for both, then check each compose.
            try await cluster.eventually("20 removed, their files gone") {
                let files = FileManager.default
                let gone = (1...20).allSatisfy { !files.fileExists(atPath: cluster.targetDir + "/odcs-\($0)") }
                let trash = (try? files.contentsOfDirectory(atPath: cluster.targetDir + "/.trash")) ?? []
                return try await cluster.states()[3] == 20 && gone && trash.isEmpty
            }
            try await cluster.eventually("10 done") { try await cluster.states()[2] == 10 }
            let rows = try await cluster.client.query("SELECT id, state, state_reason FROM composes ORDER BY id", logger: nil)
            for try await (id, state, reason) in rows.decode((Int64, Int, String?).self) {
                let exists = FileManager.default.fileExists(atPath: cluster.targetDir + "/odcs-\(id)")
                if id <= 20 {
                    #expect(state == 3)
                    #expect(reason == "Compose is generated successfully\nCompose is expired.", "compose \(id)")
                    #expect(!exists)
                } else {
                    #expect(state == 2)
                    #expect(exists)
                }
            }
            let trash = (try? FileManager.default.contentsOfDirectory(atPath: cluster.targetDir + "/.trash")) ?? []
            #expect(trash.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(3))) func sigtermDrainFailsNothing() async throws {
        try await TestCluster.with(environment: ["ODCS_TEST_GENERATOR_WORK_MS": "1500", "ODCS_NUM_CONCURRENT_PUNGI": "2"]) { cluster in
            // Node 0 drains with room to finish; node 1 with none, so it hands its work back.
            try await cluster.start(0, extraEnvironment: ["ODCS_DRAIN_TIMEOUT": "60"])
            try await cluster.start(1, extraEnvironment: ["ODCS_DRAIN_TIMEOUT": "0"])
            for index in 0..<8 { _ = try await cluster.submit(index % 2, Self.build("drain-\(index)")) }
            try await cluster.eventually("both nodes generating") {
                Set(cluster.journalEntries().filter { $0.event == "start" }.map(\.node)).count == 2
            }
            cluster.signal(0, SIGTERM)
            cluster.signal(1, SIGTERM)
            #expect(try await cluster.waitExit(0) == 0)
            #expect(try await cluster.waitExit(1) == 0)
            // Nothing failed; what was not finished is back in wait and a new node finishes it.
            #expect(try await cluster.states()[4] == nil)
            try await cluster.start(2)
            try await cluster.eventually("all 8 done") { try await cluster.states()[2] == 8 }
            let node0 = cluster.journalEntries().filter { $0.node == TestCluster.nodeID(0) }
            #expect(node0.filter { $0.event == "start" }.count == node0.filter { $0.event == "end" }.count)
        }
    }
}
