import Foundation
import ODCSServices
import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// The cluster cap (`max_generating`) next to a real duty leader: the cap's transaction lock
/// and the duties' session locks must never be the same lock. Once both were (3525, 1), and a
/// node that led lease rescue never claimed a compose while the cap was set.
@Suite struct ClusterCapTests {
    @Test func locksAreDistinct() {
        let keys = AdvisoryLock.all.map(\.key)
        #expect(Set(keys).count == keys.count)
        #expect(Set(AdvisoryLock.all.map(\.name)).count == keys.count)
        #expect(keys.allSatisfy { $0 > 0 && $0 < AdvisoryLock.firstTestingKey })
        #expect(!AdvisoryLock.duties.contains(.claimCap))
        #expect(Set(AdvisoryLock.duties).isSubset(of: AdvisoryLock.all))
        #expect(Set(AdvisoryLock.duties).count == AdvisoryLock.all.count - 1)
    }

    @Test(.timeLimit(.minutes(1))) func aCappedClaimGoesOnWhileEveryDutyHasALeader() async throws {
        try await TestDatabase.withSchema { client, schema in
            let connector = try TestDatabase.connector(schema: schema)
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert()
            let (events, continuation) = AsyncStream.makeStream(of: RecordingDuty.Event.self)
            enum Outcome: Sendable {
                case electorEnded
                case claimed([Int64])
                case blocked
            }
            try await withThrowingTaskGroup(of: Outcome.self) { group in
                for lock in AdvisoryLock.duties {
                    let configuration = LeaderElector.Configuration(nodeID: "a", duty: lock.name, lock: lock)
                    let elector = LeaderElector(
                        configuration: configuration, connector: connector, duty: RecordingDuty(node: "a", events: continuation),
                        metrics: .shared, logger: testLogger)
                    group.addTask {
                        try await elector.run()
                        return .electorEnded
                    }
                }
                // Every duty leads: its session lock is held.
                var started = 0
                for await event in events {
                    if case .started = event { started += 1 }
                    if started == AdvisoryLock.duties.count { break }
                }
                group.addTask {
                    .claimed(try await factory.queue.claim(node: "a", limit: 2, deadlineSeconds: 60, clusterCap: 2).map(\.compose.id))
                }
                // A claim waits for no lock a leader holds: it answers at once. Ten seconds is
                // only where this test calls it blocked; stopping the electors then frees the
                // lock, so that the blocked claim ends and the test with it.
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return .blocked
                }
                var claimed: [Int64]?
                outcomes: while let outcome = try await group.next() {
                    switch outcome {
                    case .electorEnded: continue
                    case .claimed(let ids): claimed = ids
                    case .blocked: Issue.record("a capped claim blocked on a lock a duty leader holds")
                    }
                    break outcomes
                }
                group.cancelAll()
                #expect(claimed == [compose.id])
            }
        }
    }
}
