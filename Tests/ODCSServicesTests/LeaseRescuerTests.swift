import Foundation
import ODCSCore
import ODCSServices
import ODCSStore
import ODCSTesting
import Testing

@Suite struct LeaseRescuerTests {
    func rescuer(_ factory: ComposeFactory, maxAttempts: Int = 3) -> LeaseRescuer {
        var configuration = LeaseRescuer.Configuration()
        configuration.leaseTimeout = .seconds(60)
        configuration.maxAttempts = maxAttempts
        configuration.backoff = .zero
        return LeaseRescuer(configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger)
    }

    @Test func staleHeartbeatGoesBackToWaitAndIsClaimedAgain() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            _ = try await factory.queue.claim(node: "lost-node", limit: 1, deadlineSeconds: 7200)
            try await factory.ageHeartbeat(compose.id, seconds: 61)
            let rescued = try await rescuer(factory).runOnce(fence: nil)
            #expect(rescued == [RescuedCompose(id: compose.id, newState: .wait, lostNode: "lost-node", attempt: 1, overdue: false)])
            let back = try await factory.compose(compose.id)
            #expect(back.state == .wait)
            #expect(back.timeStarted == nil)
            #expect(try await factory.queue.claim(node: "other", limit: 1, deadlineSeconds: 7200).first?.lease.attempt == 2)
        }
    }

    @Test func freshLeaseIsLeftAlone() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            _ = try await factory.queue.claim(node: "alive", limit: 1, deadlineSeconds: 7200)
            // Long-running but heartbeating: elapsed time alone never rescues.
            try await factory.execute("UPDATE composes SET time_started = now() - interval '5 hours' WHERE id = \(compose.id)")
            try await factory.ageHeartbeat(compose.id, seconds: 30)
            #expect(try await rescuer(factory).runOnce(fence: nil).isEmpty)
            #expect(try await factory.compose(compose.id).state == .generating)
        }
    }

    @Test func lastAttemptFailsNamingTheLostNode() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            let follower = try await factory.insert()
            let claims = try await factory.queue.claim(node: "n2", limit: 2, deadlineSeconds: 7200)
            _ = try await factory.queue.decideReuse(claims[0].lease, resolved: claims[0].compose) { _ in true }
            _ = try await factory.queue.decideReuse(claims[1].lease, resolved: claims[1].compose) { _ in true }
            try await factory.ageHeartbeat(compose.id, seconds: 120)
            let rescued = try await rescuer(factory, maxAttempts: 1).runOnce(fence: nil)
            #expect(rescued.map(\.newState) == [.failed])
            let failed = try await factory.compose(compose.id)
            #expect(failed.state == .failed)
            #expect(failed.stateReason == "Compose generation was lost: node n2 stopped heartbeating during attempt 1 of 1.")
            // The compose that reused it follows it.
            #expect(try await factory.compose(follower.id).state == .failed)
        }
    }

    @Test func passedDeadlineFailsWithUpstreamsStuckText() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            _ = try await factory.queue.claim(node: "n1", limit: 1, deadlineSeconds: 7200)
            try await factory.execute(
                """
                UPDATE composes SET time_started = now() - interval '7201 seconds',
                    deadline_at = now() - interval '1 second' WHERE id = \(compose.id)
                """)
            let rescued = try await rescuer(factory).runOnce(fence: nil)
            #expect(rescued.first?.overdue == true)
            let failed = try await factory.compose(compose.id)
            #expect(failed.state == .failed)
            #expect(failed.stateReason == "Compose stuck in 'generating' state for longer than 7200 seconds.")
        }
    }

    @Test func aStaleTermCannotRescue() async throws {
        try await TestDatabase.withSchema { client, schema in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            _ = try await factory.queue.claim(node: "n1", limit: 1, deadlineSeconds: 7200)
            try await factory.ageHeartbeat(compose.id, seconds: 120)
            let connector = try TestDatabase.connector(schema: schema)
            let term = try await connector.withSession(logger: testLogger) { session in
                try await LeaderStore.elect(duty: "lease_rescue", holder: "old-leader", on: session)
            }
            _ = try await connector.withSession(logger: testLogger) { session in
                try await LeaderStore.elect(duty: "lease_rescue", holder: "new-leader", on: session)
            }
            let stale = LeaderFence(duty: "lease_rescue", term: term, holder: "old-leader")
            await #expect(throws: StoreError.notLeader(duty: "lease_rescue")) { try await rescuer(factory).runOnce(fence: stale) }
            #expect(try await factory.compose(compose.id).state == .generating)
            let current = LeaderFence(duty: "lease_rescue", term: term + 1, holder: "new-leader")
            #expect(try await rescuer(factory).runOnce(fence: current).count == 1)
        }
    }
}
