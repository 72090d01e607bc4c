import Foundation
import ODCSTesting
import Subprocess
import SystemPackage
import Testing

/// `odcs compose wait` against a real node: the node that generates the compose, and the
/// timeout's exit code.
@Suite struct ComposeWaitTests {
    @Test(.timeLimit(.minutes(3))) func waitShowsTheGeneratingNodeAndTimesOutWithExitCode2() async throws {
        // An hour of "work": the compose stays generating on node-0 for the whole test.
        try await TestCluster.with(environment: ["ODCS_TEST_GENERATOR_WORK_MS": "3600000"]) { cluster in
            try await cluster.start(0)
            let (_, body) = try await cluster.submit(0, EventTests.build)
            let id = try #require(body["id"] as? Int)
            try await cluster.eventually("compose generating") { try await cluster.states()[1] == 1 }
            let result = try await Subprocess.run(
                .path(FilePath(TestCluster.binary)),
                arguments: ["compose", "wait", String(id), "--server", cluster.base(0), "--timeout", "20"],
                output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
            let output = result.standardOutput
            #expect(result.terminationStatus == .exited(2), "\(output) \(result.standardError)")
            #expect(output.contains("compose \(id): generating ("), "\(output)")
            #expect(output.contains("compose \(id): generating on node \(TestCluster.nodeID(0))"), "\(output)")
            #expect(output.contains("compose \(id): still not finished after 20 s"), "\(output)")
        }
    }
}
