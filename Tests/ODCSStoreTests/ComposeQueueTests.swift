import Foundation
import ODCSCore
import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

@Suite struct ComposeQueueTests {
    @Test func claimsOldestFirstAndNeverTheSameComposeTwice() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            var ids: [Int64] = []
            for index in 0..<6 { ids.append(try await factory.insert(builds: "b-\(index)").id) }
            // Three claimers at once: SKIP LOCKED hands each its own rows.
            let claims = try await withThrowingTaskGroup(of: [ClaimedCompose].self) { group in
                for node in ["a", "b", "c"] {
                    group.addTask { try await factory.queue.claim(node: node, limit: 2, deadlineSeconds: 60) }
                }
                var all: [ClaimedCompose] = []
                for try await batch in group { all += batch }
                return all
            }
            #expect(claims.map(\.compose.id).sorted() == ids)
            #expect(Set(claims.map(\.lease.token)).count == 6)
            for claim in claims {
                #expect(claim.compose.state == .generating)
                #expect(claim.compose.stateReason == "Compose thread started")
                #expect(claim.lease.attempt == 1)
            }
            #expect(try await factory.queue.claim(node: "a", limit: 5, deadlineSeconds: 60).isEmpty)
        }
    }

    @Test func claimTakesTheOldestWaitingCompose() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let first = try await factory.insert(builds: "one")
            try await factory.insert(builds: "two")
            let claim = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            #expect(claim.compose.id == first.id)
        }
    }

    @Test func clusterCapLimitsLeasedComposesAcrossNodes() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            for index in 0..<5 { try await factory.insert(builds: "b-\(index)") }
            let a = try await factory.queue.claim(node: "a", limit: 2, deadlineSeconds: 60, clusterCap: 3)
            let b = try await factory.queue.claim(node: "b", limit: 2, deadlineSeconds: 60, clusterCap: 3)
            #expect(a.count == 2)
            #expect(b.count == 1)
            _ = try await factory.queue.finishDone(a[0].lease, pungiComposeID: nil)
            #expect(try await factory.queue.claim(node: "b", limit: 2, deadlineSeconds: 60, clusterCap: 3).count == 1)
        }
    }

    @Test func workerWhoseLeaseWasTakenCannotFinish() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            let old = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            // Node a goes silent; the rescue puts the compose back and node b claims it.
            try await factory.ageHeartbeat(compose.id, seconds: 120)
            let rescued = try await factory.sweeps.rescueStale(
                leaseTimeoutSeconds: 60, maxAttempts: 3, backoffSeconds: 0, limit: 10, fence: nil)
            #expect(rescued.map(\.id) == [compose.id])
            let new = try #require(try await factory.queue.claim(node: "b", limit: 1, deadlineSeconds: 60).first)
            #expect(new.lease.attempt == 2)

            #expect(try await factory.queue.heartbeat([old.lease]).isEmpty)
            #expect(try await factory.queue.finishDone(old.lease, pungiComposeID: "stale") == false)
            #expect(try await factory.queue.finishFailed(old.lease, reason: "stale") == false)
            #expect(try await factory.queue.release(old.lease) == false)
            await #expect(throws: StoreError.leaseLost(compose.id)) {
                try await factory.queue.decideReuse(old.lease, resolved: old.compose) { _ in true }
            }
            #expect(try await factory.compose(compose.id).state == .generating)

            #expect(try await factory.queue.heartbeat([new.lease]) == [compose.id])
            #expect(try await factory.queue.finishDone(new.lease, pungiComposeID: "odcs-1-1-20261127.t.0"))
            let done = try await factory.compose(compose.id)
            #expect(done.state == .done)
            #expect(done.stateReason == "Compose is generated successfully")
            #expect(done.pungiComposeID == "odcs-1-1-20261127.t.0")
            #expect(done.timeDone != nil)
        }
    }

    @Test func finishingRestartsTheTimeToLive() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert(secondsToLive: 7200)
            // Submitted an hour ago with a two-hour TTL...
            try await factory.execute(
                "UPDATE composes SET time_submitted = now() - interval '1 hour', time_to_expire = now() + interval '1 hour' WHERE id = \(compose.id)"
            )
            let claim = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            #expect(try await factory.queue.finishFailed(claim.lease, reason: "Error while generating compose: boom"))
            let failed = try await factory.compose(compose.id)
            #expect(failed.state == .failed)
            #expect(failed.stateReason == "Error while generating compose: boom")
            // ...the full two hours now count from the failure.
            #expect(abs(failed.timeToExpire.timeIntervalSinceNow - 7200) < 60)
        }
    }

    @Test func releaseHandsTheComposeBackWithoutCountingTheAttempt() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            let claim = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            #expect(try await factory.queue.release(claim.lease))
            let back = try await factory.compose(compose.id)
            #expect(back.state == .wait)
            #expect(back.stateReason == nil)
            #expect(back.timeStarted == nil)
            #expect(try await factory.attempt(compose.id) == 0)
            let again = try #require(try await factory.queue.claim(node: "b", limit: 1, deadlineSeconds: 60).first)
            #expect(again.lease.attempt == 1)
        }
    }

    @Test func identicalComposeReusesADoneOne() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let first = try await factory.insert(builds: "a-1 b-1")
            let claim = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            #expect(try await factory.queue.decideReuse(claim.lease, resolved: claim.compose) { _ in true } == .generate)
            #expect(try await factory.queue.finishDone(claim.lease, pungiComposeID: "odcs-1-1-20261127.t.0"))

            // Same builds in another order, longer TTL: reuses, and both live as long as the longer.
            let second = try await factory.insert(builds: "b-1 a-1", secondsToLive: 7200)
            let claim2 = try #require(try await factory.queue.claim(node: "b", limit: 1, deadlineSeconds: 60).first)
            #expect(
                try await factory.queue.decideReuse(claim2.lease, resolved: claim2.compose) { _ in true } == .reusedDone(reusedID: first.id)
            )
            let reusing = try await factory.compose(second.id)
            #expect(reusing.state == .done)
            #expect(reusing.reusedID == first.id)
            #expect(reusing.name == "odcs-\(first.id)")
            #expect(reusing.pungiComposeID == "odcs-1-1-20261127.t.0")
            #expect(reusing.stateReason == "Compose is generated successfully")
            let original = try await factory.compose(first.id)
            #expect(original.timeToExpire.timeIntervalSinceNow > 7000)
        }
    }

    @Test func composesThatDifferNeverReuse() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let first = try await factory.insert(builds: "a-1")
            let claim = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            _ = try await factory.queue.decideReuse(claim.lease, resolved: claim.compose) { _ in true }
            _ = try await factory.queue.finishDone(claim.lease, pungiComposeID: nil)

            try await factory.insert(builds: "a-2")
            try await factory.insert(builds: "a-1") { $0.flags = .noReuse }
            try await factory.insert(builds: "a-1") { $0.arches = "x86_64 aarch64" }
            try await factory.insert(builds: "a-1") { $0.kojiEvent = 7 }
            let claims = try await factory.queue.claim(node: "b", limit: 10, deadlineSeconds: 60)
            #expect(claims.count == 4)
            for claim in claims {
                #expect(try await factory.queue.decideReuse(claim.lease, resolved: claim.compose) { _ in true } == .generate)
            }
            // A candidate the generator's own check refuses (Koji says the tag changed) is skipped.
            try await factory.insert(builds: "a-1")
            let last = try #require(try await factory.queue.claim(node: "b", limit: 1, deadlineSeconds: 60).first)
            #expect(try await factory.queue.decideReuse(last.lease, resolved: last.compose) { $0.id != first.id } == .generate)
        }
    }

    @Test func followerTakesTheFinalStateOfTheComposeItReuses() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let first = try await factory.insert()
            let second = try await factory.insert()
            let third = try await factory.insert()
            let claims = try await factory.queue.claim(node: "a", limit: 3, deadlineSeconds: 60)
            #expect(try await factory.queue.decideReuse(claims[0].lease, resolved: claims[0].compose) { _ in true } == .generate)
            #expect(
                try await factory.queue.decideReuse(claims[1].lease, resolved: claims[1].compose) { _ in true }
                    == .following(reusedID: first.id))
            #expect(
                try await factory.queue.decideReuse(claims[2].lease, resolved: claims[2].compose) { _ in true }
                    == .following(reusedID: first.id))
            #expect(try await factory.compose(second.id).state == .generating)

            #expect(try await factory.queue.finishFailed(claims[0].lease, reason: "Error while generating compose: no"))
            for id in [second.id, third.id] {
                let follower = try await factory.compose(id)
                #expect(follower.state == .failed)
                #expect(follower.stateReason == "Error while generating compose: no")
            }
        }
    }

    @Test func concurrentIdenticalDecisionsGenerateOnce() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            for _ in 0..<20 { try await factory.insert(builds: "same-1") }
            let claims = try await factory.queue.claim(node: "a", limit: 20, deadlineSeconds: 60)
            let decisions = try await withThrowingTaskGroup(of: ReuseDecision.self) { group in
                for claim in claims {
                    group.addTask { try await factory.queue.decideReuse(claim.lease, resolved: claim.compose) { _ in true } }
                }
                var all: [ReuseDecision] = []
                for try await decision in group { all.append(decision) }
                return all
            }
            #expect(decisions.filter { $0 == .generate }.count == 1)
        }
    }

    @Test func reuseDecisionStoresWhatResolveFilledIn() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert {
                $0.sourceType = .repo; $0.source = "/srv/repo"
            }
            let claim = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            var resolved = claim.compose
            resolved.kojiEvent = 1_700_000_000
            _ = try await factory.queue.decideReuse(claim.lease, resolved: resolved) { _ in true }
            let stored = try await factory.compose(compose.id)
            #expect(stored.kojiEvent == 1_700_000_000)
            #expect(stored.stateReason == "Compose is generating")
        }
    }

    @Test func followersAreHandedOverWhenTheirComposeReusesAnother() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            // 1 generates and 2 follows it; 1's node dies and 1 goes back to wait.
            let first = try await factory.insert()
            let second = try await factory.insert()
            let claims = try await factory.queue.claim(node: "a", limit: 2, deadlineSeconds: 60)
            _ = try await factory.queue.decideReuse(claims[0].lease, resolved: claims[0].compose) { _ in true }
            #expect(
                try await factory.queue.decideReuse(claims[1].lease, resolved: claims[1].compose) { _ in true }
                    == .following(reusedID: first.id))
            try await factory.ageHeartbeat(first.id, seconds: 120)
            _ = try await factory.sweeps.rescueStale(leaseTimeoutSeconds: 60, maxAttempts: 3, backoffSeconds: 0, limit: 10, fence: nil)
            // Meanwhile an identical compose 3 was generated elsewhere and is done.
            try await factory.execute("UPDATE composes SET next_attempt_at = now() + interval '1 hour' WHERE id = \(first.id)")
            let third = try await factory.insert()
            let claim3 = try #require(try await factory.queue.claim(node: "b", limit: 2, deadlineSeconds: 60).first)
            #expect(claim3.compose.id == third.id)
            #expect(try await factory.queue.decideReuse(claim3.lease, resolved: claim3.compose) { _ in true } == .generate)
            #expect(try await factory.queue.finishDone(claim3.lease, pungiComposeID: "p3"))
            // 1 is claimed again, reuses 3, and hands its follower 2 over: 2 is done with 3's files.
            try await factory.execute("UPDATE composes SET next_attempt_at = now() WHERE id = \(first.id)")
            let again = try #require(try await factory.queue.claim(node: "c", limit: 1, deadlineSeconds: 60).first)
            #expect(
                try await factory.queue.decideReuse(again.lease, resolved: again.compose) { _ in true } == .reusedDone(reusedID: third.id))
            let follower = try await factory.compose(second.id)
            #expect(follower.reusedID == third.id)
            #expect(follower.state == .done)
            #expect(follower.pungiComposeID == "p3")
        }
    }
}
