import Foundation
import ODCSCore
import ODCSServices
import ODCSStore
import ODCSTesting
import Testing

@Suite struct PeriodicRulesTests {
    @Test func composeWaitingThreeDaysFails() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let old = try await factory.insert(builds: "old")
            let young = try await factory.insert(builds: "young")
            try await factory.execute("UPDATE composes SET time_submitted = now() - interval '3 days 1 minute' WHERE id = \(old.id)")
            let rules = PeriodicRules(
                configuration: .init(), sweeps: factory.sweeps, nodes: NodeRegistry(client: client, logger: testLogger), logger: testLogger)
            try await rules.runOnce(fence: nil)
            let failed = try await factory.compose(old.id)
            #expect(failed.state == .failed)
            #expect(failed.stateReason == "Compose stuck in 'wait' state for longer than 3 days.")
            #expect(try await factory.compose(young.id).state == .wait)
        }
    }

    @Test func followerOfAFinishedComposeTakesItsState() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let first = try await factory.insert()
            let second = try await factory.insert()
            let claims = try await factory.queue.claim(node: "n", limit: 2, deadlineSeconds: 60)
            _ = try await factory.queue.decideReuse(claims[0].lease, resolved: claims[0].compose) { _ in true }
            _ = try await factory.queue.decideReuse(claims[1].lease, resolved: claims[1].compose) { _ in true }
            // A race the finish transaction did not see: the original is done, the follower not.
            try await factory.execute(
                """
                UPDATE composes SET state = 2, state_reason = 'Compose is generated successfully', time_done = now(),
                    lease_token = NULL WHERE id = \(first.id)
                """)
            #expect(try await factory.compose(second.id).state == .generating)
            let rules = PeriodicRules(
                configuration: .init(), sweeps: factory.sweeps, nodes: NodeRegistry(client: client, logger: testLogger), logger: testLogger)
            try await rules.runOnce(fence: nil)
            let follower = try await factory.compose(second.id)
            #expect(follower.state == .done)
            #expect(follower.stateReason == "Compose is generated successfully")
            #expect(follower.timeDone != nil)
        }
    }
}
