import Foundation
import ODCSClientKit
import ODCSNode
import ODCSTesting
import PostgresNIO
import Subprocess
import SystemPackage
import Testing

/// Compose events through real `odcs serve` processes: the event stream and its resume, a
/// publisher killed mid-delivery, and `odcs compose wait`.
@Suite(.serialized) struct EventTests {
    static let build = #"{"source": {"type": "build", "source": "", "builds": ["events-1-1"]}, "flags": ["no_reuse"]}"#

    static func state(_ event: ServerSentEvent) -> (compose: Int, state: String)? {
        guard let message = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
            let compose = message["compose"] as? [String: Any], let id = compose["id"] as? Int, let state = compose["state_name"] as? String
        else { return nil }
        return (id, state)
    }

    @Test(.timeLimit(.minutes(3))) func theEventStreamResumesFromLastEventIDWithoutLosingAny() async throws {
        try await TestCluster.with(environment: ["ODCS_TEST_GENERATOR_WORK_MS": "1500"]) { cluster in
            try await cluster.start(0)
            // A stream from the first event (the cluster's database is new): it sees the creation.
            var first = EventStreamClient(server: cluster.base(0), lastEventID: "0").events().makeAsyncIterator()
            let (status, body) = try await cluster.submit(0, Self.build)
            #expect(status == 200)
            let id = try #require(body["id"] as? Int)
            let created = try #require(try await first.next())
            #expect(Self.state(created)?.compose == id && Self.state(created)?.state == "wait")
            #expect(created.event == "state-changed")
            // Drop it; the compose goes on to generating and done meanwhile.
            first = EventStreamClient(server: "http://127.0.0.1:9").events().makeAsyncIterator()
            try await cluster.eventually("compose done") { try await cluster.states()[2] == 1 }
            var resumed = EventStreamClient(server: cluster.base(0), composeID: Int64(id), lastEventID: created.id).events()
                .makeAsyncIterator()
            var states: [String] = []
            var ids = [Int64(created.id ?? "") ?? 0]
            while states.last != "done", let event = try await resumed.next() {
                states.append(Self.state(event)?.state ?? "?")
                ids.append(Int64(event.id ?? "") ?? 0)
            }
            #expect(states == ["generating", "done"])
            #expect(ids == ids.sorted() && Set(ids).count == 3)
        }
    }

    @Test(.timeLimit(.minutes(3))) func anotherNodeDeliversTheEventsOfAPublisherKilledMidDelivery() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serving { url in
            let environment = [
                "ODCS_MESSAGING_BACKEND": "webhook", "ODCS_WEBHOOK_URLS": "[\"\(url)\"]", "ODCS_NUM_CONCURRENT_PUNGI": "0",
                "ODCS_OUTBOX_RETRY_BACKOFF": "0", "ODCS_OUTBOX_POLL_INTERVAL_MS": "100",
            ]
            try await TestCluster.with(environment: environment) { cluster in
                await receiver.stall(true)
                try await cluster.start(0)
                let (_, body) = try await cluster.submit(0, Self.build)
                let id = try #require(body["id"] as? Int)
                // Node 0 holds the event's row lock while its POST hangs: kill it there.
                await receiver.waitForArrivals(1)
                cluster.signal(0, SIGKILL)
                _ = try await cluster.waitExit(0)
                await receiver.stall(false)
                try await cluster.start(1)
                await receiver.waitForDeliveries(1)
                let delivered = await receiver.deliveries
                let message = try #require(try JSONSerialization.jsonObject(with: Data(delivered[0].body.utf8)) as? [String: Any])
                let compose = try #require(message["compose"] as? [String: Any])
                #expect(compose["id"] as? Int == id && compose["state_name"] as? String == "wait")
                let backlog = try await cluster.client.query(
                    "SELECT count(*)::int FROM outbox WHERE published_at IS NULL", logger: TestDatabase.logger)
                for try await count in backlog.decode(Int.self) { #expect(count == 0) }
            }
        }
    }

    /// A watcher that never disconnects must not hold a node that is told to stop: the
    /// stream ends cleanly, and the watcher resumes on another node without losing an event.
    @Test(.timeLimit(.minutes(3))) func aStoppingNodeEndsItsStreamsAndTheWatcherResumesElsewhere() async throws {
        try await TestCluster.with(environment: ["ODCS_NUM_CONCURRENT_PUNGI": "0"]) { cluster in
            try await cluster.start(0)
            try await cluster.start(1)
            // From the first event (the cluster's database is new), so that the creation is
            // seen however late the stream connects.
            var watcher = EventStreamClient(server: cluster.base(0), lastEventID: "0").events().makeAsyncIterator()
            let (_, first) = try await cluster.submit(1, Self.build)
            let created = try #require(try await watcher.next())
            #expect(Self.state(created)?.compose == first["id"] as? Int)

            cluster.signal(0, SIGTERM)
            #expect(try await cluster.waitExit(0, timeout: .seconds(60)) == 0)
            #expect(try await watcher.next() == nil)

            let (_, second) = try await cluster.submit(1, Self.build)
            var resumed = EventStreamClient(server: cluster.base(1), lastEventID: created.id).events().makeAsyncIterator()
            let next = try #require(try await resumed.next())
            #expect(Self.state(next)?.compose == second["id"] as? Int && Self.state(next)?.state == "wait")
            #expect(Int64(next.id ?? "") ?? 0 > Int64(created.id ?? "") ?? 0)
        }
    }

    @Test(.timeLimit(.minutes(3))) func composeWaitFollowsTheComposeToDone() async throws {
        try await TestCluster.with(environment: ["ODCS_TEST_GENERATOR_WORK_MS": "1000"]) { cluster in
            try await cluster.start(0)
            let (_, body) = try await cluster.submit(0, Self.build)
            let id = try #require(body["id"] as? Int)
            let result = try await Subprocess.run(
                .path(FilePath(TestCluster.binary)),
                arguments: ["compose", "wait", String(id), "--server", cluster.base(0), "--timeout", "60"],
                output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
            let output = result.standardOutput
            #expect(result.terminationStatus.isSuccess, "\(output) \(result.standardError)")
            #expect(output.contains("compose \(id): done (Compose is generated successfully)") || output.contains("→ done"))
            #expect(output.contains("repofile: http://odcs.test/composes/odcs-\(id)/compose/Temporary/odcs-\(id).repo"))

            // An unknown compose is an error, not a wait.
            let missing = try await Subprocess.run(
                .path(FilePath(TestCluster.binary)), arguments: ["compose", "wait", "999999", "--server", cluster.base(0)],
                output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
            #expect(!missing.terminationStatus.isSuccess)
        }
    }
}
