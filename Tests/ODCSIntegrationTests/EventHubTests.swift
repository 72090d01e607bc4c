import Foundation
import ODCSClientKit
import ODCSNode
import ODCSTesting
import PostgresNIO
import Testing

/// A node's event streams over real sockets against `odcs serve`: many streams and one reader
/// of the outbox, a closed connection noticed at once, the caps, a resume from far back, and a
/// stream that falls behind. Waits poll the node's gauges with a deadline; none is timed.
@Suite(.serialized) struct EventHubTests {
    static let apiOnly = ["ODCS_NUM_CONCURRENT_PUNGI": "0"]

    static func port(_ cluster: TestCluster, _ index: Int) -> Int {
        Int(cluster.base(index).split(separator: ":").last ?? "") ?? 0
    }

    static func waitForOpenStreams(_ cluster: TestCluster, _ count: Int, timeout: Duration = .seconds(30)) async throws {
        try await cluster.eventually("\(count) open event streams", timeout: timeout) {
            try await cluster.metric(0, "odcs_event_streams_open") == Double(count)
        }
    }

    /// Statements that read the outbox for event streams — the hub's reads and any stream's
    /// own — as pg_stat_statements counts them in the cluster's database: every statement on
    /// the outbox except the publishers' and the pruner's, which all name `published_at`.
    /// (scripts/pg-private.sh preloads pg_stat_statements.)
    static func streamReads(_ cluster: TestCluster) async throws -> Int {
        let query: PostgresQuery = """
            SELECT coalesce(sum(s.calls), 0)::bigint FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = current_database() AND s.query LIKE '%outbox%' AND s.query NOT LIKE '%published_at%'
              AND s.query NOT LIKE '%pg_stat_statements%' AND s.query NOT LIKE '%max(id)%'
            """
        for try await count in try await cluster.client.query(query, logger: TestDatabase.logger).decode(Int64.self) {
            return Int(count)
        }
        return 0
    }

    /// `count` waiting composes in one transaction: one outbox event each.
    static func insertComposes(_ cluster: TestCluster, _ count: Int) async throws {
        try await cluster.client.query(
            """
            INSERT INTO composes (owner, source_type, source, state, results, flags, time_submitted, time_to_expire, builds, arches)
            SELECT 'events', 6, '', 0, 1, 64, now(), now() + interval '1 day', 'pkg-' || g || '-1', 'x86_64'
            FROM generate_series(1, \(count)) AS g
            """, logger: TestDatabase.logger)
    }

    static func outboxIDs(_ cluster: TestCluster) async throws -> [Int64] {
        var ids: [Int64] = []
        for try await id in try await cluster.client.query("SELECT id FROM outbox ORDER BY id", logger: TestDatabase.logger)
            .decode(Int64.self)
        {
            ids.append(id)
        }
        return ids
    }

    static func id(_ event: ServerSentEvent) -> Int64 { Int64(event.id ?? "") ?? -1 }

    @Test(.timeLimit(.minutes(3))) func manyStreamsGetTheSameEventsFromOneReaderOfTheOutbox() async throws {
        // Polls only every minute: the reader reads when notified.
        try await TestCluster.with(environment: Self.apiOnly.merging(["ODCS_OUTBOX_POLL_INTERVAL_MS": "60000"]) { $1 }) { cluster in
            try await cluster.client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", logger: TestDatabase.logger)
            try await cluster.start(0)
            let port = Self.port(cluster, 0)
            let streams = 100
            let (opened, open) = AsyncStream.makeStream(of: Void.self)
            let received = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<streams {
                    group.addTask {
                        try await RawEventStream.with(port: port) { stream in
                            guard try await stream.head().status == 200 else { return [] }
                            open.yield()
                            var composes: [Int] = []
                            while composes.count < 3, let event = try await stream.next() {
                                composes.append(EventTests.state(event)?.compose ?? -1)
                            }
                            return composes
                        }
                    }
                }
                var count = 0
                for await _ in opened {
                    count += 1
                    if count == streams { break }
                }
                try await Self.waitForOpenStreams(cluster, streams)
                let before = try await Self.streamReads(cluster)
                var submitted: [Int] = []
                for _ in 0..<3 {
                    let (_, body) = try await cluster.submit(0, EventTests.build)
                    submitted.append(try #require(body["id"] as? Int))
                }
                var received: [[Int]] = []
                for try await composes in group { received.append(composes) }
                // One read per notification at most (three creations), whatever the number of streams.
                let reads = try await Self.streamReads(cluster) - before
                #expect(reads >= 1 && reads <= 4, "\(reads) reads of the outbox for \(streams) streams")
                return received.map { $0 == submitted }
            }
            #expect(received.count == streams && received.allSatisfy { $0 })
        }
    }

    @Test(.timeLimit(.minutes(3))) func aClosedConnectionEndsItsStreamAtOnce() async throws {
        try await TestCluster.with(environment: Self.apiOnly) { cluster in
            try await cluster.start(0)
            let port = Self.port(cluster, 0)
            try await RawEventStream.with(port: port) { stream in
                #expect(try await stream.head().status == 200)
                try await Self.waitForOpenStreams(cluster, 1)
            }
            // Well before the first keep-alive (15 s), at which a write would find the connection gone.
            try await Self.waitForOpenStreams(cluster, 0, timeout: .seconds(5))

            // Clients that hang up as soon as they have asked hold no slot either.
            for _ in 0..<20 { try await RawEventStream.with(port: port) { _ in } }
            try await Self.waitForOpenStreams(cluster, 0, timeout: .seconds(5))
        }
    }

    @Test(.timeLimit(.minutes(3))) func streamsBeyondACapAreRefusedWith429AndRetryAfter() async throws {
        let caps = ["ODCS_EVENTS_MAX_STREAMS": "3", "ODCS_EVENTS_MAX_STREAMS_PER_CLIENT": "2"]
        try await TestCluster.with(environment: Self.apiOnly.merging(caps) { $1 }) { cluster in
            try await cluster.start(0)
            let port = Self.port(cluster, 0)
            func expectRefused(_ head: RawEventStream.Head, naming key: String) throws {
                #expect(head.status == 429)
                #expect(head.headers["retry-after"] == "10")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(head.body.utf8)) as? [String: Any])
                #expect(body["status"] as? Int == 429 && body["error"] as? String == "Too Many Requests")
                #expect((body["message"] as? String)?.contains("(\(key))") == true, "\(body)")
            }
            try await RawEventStream.with(port: port) { first in
                #expect(try await first.head().status == 200)
                try await RawEventStream.with(port: port) { second in
                    #expect(try await second.head().status == 200)
                    // A third from the same address is over the per-client cap.
                    try await RawEventStream.with(port: port) { third in
                        try expectRefused(try await third.head(), naming: "events.max_streams_per_client")
                    }
                    try await RawEventStream.with(port: port, localAddress: "127.0.0.2") { other in
                        #expect(try await other.head().status == 200)
                        // Three open: the node's cap, whoever asks.
                        try await RawEventStream.with(port: port, localAddress: "127.0.0.3") { fourth in
                            try expectRefused(try await fourth.head(), naming: "events.max_streams")
                        }
                    }
                }
            }
            try await Self.waitForOpenStreams(cluster, 0)
            let again = try await RawEventStream.with(port: port) { again in try await again.head().status }
            #expect(again == 200)
            #expect(try await cluster.metric(0, #"odcs_event_streams_refused_total{reason="client"}"#) == 1)
            #expect(try await cluster.metric(0, #"odcs_event_streams_refused_total{reason="node"}"#) == 1)
        }
    }

    /// Calls of the reader's page statements: with whole events (`full`) or ids alone.
    static func readerPages(_ cluster: TestCluster) async throws -> (full: Int, ids: Int) {
        let query: PostgresQuery = """
            SELECT coalesce(sum(s.calls) FILTER (WHERE s.query LIKE '%jsonb_populate_record%'), 0)::bigint,
                   coalesce(sum(s.calls) FILTER (WHERE s.query NOT LIKE '%jsonb_populate_record%'), 0)::bigint
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = current_database() AND s.query LIKE '%FROM outbox o%' AND s.query LIKE '%pg_current_snapshot%'
            """
        for try await (full, ids) in try await cluster.client.query(query, logger: TestDatabase.logger).decode((Int64, Int64).self) {
            return (Int(full), Int(ids))
        }
        return (0, 0)
    }

    /// With no stream open the reader reads only the ids of new events and renders nothing;
    /// a stream that then resumes from among them still gets each one, in order, and a fresh
    /// stream only what comes after it opened.
    @Test(.timeLimit(.minutes(3))) func withNoStreamOpenTheReaderSkipsEventsThatAStreamCanStillResumeFrom() async throws {
        try await TestCluster.with(environment: Self.apiOnly.merging(["ODCS_OUTBOX_POLL_INTERVAL_MS": "60000"]) { $1 }) { cluster in
            try await cluster.client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", logger: TestDatabase.logger)
            try await cluster.client.query("SELECT pg_stat_statements_reset()", logger: TestDatabase.logger)
            try await cluster.start(0)
            let port = Self.port(cluster, 0)
            let before = try await Self.readerPages(cluster)
            try await Self.insertComposes(cluster, 40)
            try await cluster.eventually("the reader's read of the new events", timeout: .seconds(60)) {
                try await Self.readerPages(cluster).ids > before.ids
            }
            #expect(try await Self.readerPages(cluster).full == 0, "no whole event was read while no stream was open")
            let stored = try await Self.outboxIDs(cluster)
            #expect(stored.count == 40)

            try await RawEventStream.with(port: port, headers: ["Last-Event-ID": "\(stored[9])"]) { resuming in
                #expect(try await resuming.head().status == 200)
                var ids: [Int64] = []
                while ids.count < 30, let event = try await resuming.next() { ids.append(Self.id(event)) }
                #expect(ids == Array(stored[10...]))
                try await RawEventStream.with(port: port) { fresh in
                    #expect(try await fresh.head().status == 200)
                    try await Self.waitForOpenStreams(cluster, 2)
                    let (_, body) = try await cluster.submit(0, EventTests.build)
                    let compose = try #require(body["id"] as? Int)
                    for stream in [resuming, fresh] {
                        let live = try #require(try await stream.next())
                        #expect(EventTests.state(live)?.compose == compose && Self.id(live) > stored.last ?? 0)
                    }
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(3))) func aStreamResumesFromFarBehindTheRingWithoutLosingAny() async throws {
        // The reader polls only every minute, so that it reads when notified and the count of
        // reads below does not depend on how long the machine takes.
        let environment = ["ODCS_EVENTS_BUFFERED_EVENTS": "16", "ODCS_OUTBOX_POLL_INTERVAL_MS": "60000"]
        try await TestCluster.with(environment: Self.apiOnly.merging(environment) { $1 }) { cluster in
            try await cluster.client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", logger: TestDatabase.logger)
            // The node migrates the database, stops, and starts again over 250 events: its
            // ring starts after them, so a resume from 0 must read them from the outbox.
            try await cluster.start(0)
            try await Self.insertComposes(cluster, 250)
            cluster.signal(0, SIGTERM)
            #expect(try await cluster.waitExit(0, timeout: .seconds(60)) == 0)
            try await cluster.start(0)
            let port = Self.port(cluster, 0)
            let stored = try await Self.outboxIDs(cluster)
            #expect(stored.count == 250)
            let before = try await Self.streamReads(cluster)

            try await RawEventStream.with(port: port, headers: ["Last-Event-ID": "0"]) { stream in
                #expect(try await stream.head().status == 200)
                var ids: [Int64] = []
                while ids.count < stored.count, let event = try await stream.next() { ids.append(Self.id(event)) }
                #expect(ids == stored)
                // Caught up: the next event comes live.
                let (_, body) = try await cluster.submit(0, EventTests.build)
                let live = try #require(try await stream.next())
                #expect(EventTests.state(live)?.compose == body["id"] as? Int && Self.id(live) > stored.last ?? 0)
            }
            // Only the catch-up pages (100 events each) and the reader's read of the new event.
            let reads = try await Self.streamReads(cluster) - before
            #expect(reads <= 5, "\(reads) reads of the outbox")

            // One compose's events from far back: its creation only.
            let compose = 17
            try await RawEventStream.with(port: port, query: "?compose_id=\(compose)&last_event_id=0") { stream in
                #expect(try await stream.head().status == 200)
                let event = try #require(try await stream.next())
                #expect(EventTests.state(event)?.compose == compose && EventTests.state(event)?.state == "wait")
            }
        }
    }

    /// A node that starts while an event's transaction is still open (its id below the newest
    /// committed one) sends it once it commits, to a stream resuming from before it. It once
    /// started past it: the cluster in a box lost one event on every stream in a rolling restart.
    @Test(.timeLimit(.minutes(3))) func aNodeStartedWhileAnEventIsStillBeingWrittenSendsItOnceItCommits() async throws {
        try await TestCluster.with(environment: Self.apiOnly) { cluster in
            try await cluster.start(0)
            try await Self.insertComposes(cluster, 1)
            cluster.signal(0, SIGTERM)
            #expect(try await cluster.waitExit(0, timeout: .seconds(60)) == 0)
            let resumeFrom = try #require(try await Self.outboxIDs(cluster).last)
            try await cluster.client.withConnection { holder in
                // The held transaction takes the next outbox id; a later one commits before the node starts.
                try await holder.query("BEGIN", logger: TestDatabase.logger)
                try await holder.query(
                    """
                    INSERT INTO composes (owner, source_type, source, state, results, flags, time_submitted, time_to_expire, builds, arches)
                    VALUES ('held', 6, '', 0, 1, 64, now(), now() + interval '1 day', 'pkg-held-1', 'x86_64')
                    """, logger: TestDatabase.logger)
                try await Self.insertComposes(cluster, 1)
                try await cluster.start(0)
                try await RawEventStream.with(port: Self.port(cluster, 0), headers: ["Last-Event-ID": String(resumeFrom)]) { stream in
                    #expect(try await stream.head().status == 200)
                    try await Self.waitForOpenStreams(cluster, 1)
                    try await holder.query("COMMIT", logger: TestDatabase.logger)
                    // A last event after the commit: the stream reads up to it, whatever it missed.
                    try await Self.insertComposes(cluster, 1)
                    let stored = try await Self.outboxIDs(cluster).filter { $0 > resumeFrom }
                    var ids: [Int64] = []
                    while ids.last != stored.last, let event = try await stream.next() { ids.append(Self.id(event)) }
                    #expect(stored.count == 3 && ids == stored)
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(3))) func aStreamThatFallsBehindIsEndedAndItsClientResumesWithoutLoss() async throws {
        try await TestCluster.with(environment: Self.apiOnly.merging(["ODCS_EVENTS_BUFFERED_EVENTS": "16"]) { $1 }) { cluster in
            try await cluster.start(0)
            let port = Self.port(cluster, 0)
            // A client with a tiny receive buffer that stops reading after the headers.
            let seen = try await RawEventStream.with(port: port, receiveBuffer: 4096) { slow in
                #expect(try await slow.head().status == 200)
                try await Self.waitForOpenStreams(cluster, 1)
                // About 10 MB of events: more than the kernel buffers between the two ends
                // (the node's send buffer grows to tcp_wmem's maximum, 4 MiB by default).
                try await Self.insertComposes(cluster, 8000)
                try await cluster.eventually("the slow stream ended", timeout: .seconds(90)) {
                    try await cluster.metric(0, "odcs_event_streams_behind_total") == 1
                }
                try await Self.waitForOpenStreams(cluster, 0)
                await slow.readToEnd()
                return slow.received.map(Self.id)
            }
            let stored = try await Self.outboxIDs(cluster)
            #expect(seen.count < stored.count)
            #expect(seen == Array(stored.prefix(seen.count)))
            let resumeFrom = seen.last ?? 0
            try await RawEventStream.with(port: port, headers: ["Last-Event-ID": String(resumeFrom)]) { resumed in
                #expect(try await resumed.head().status == 200)
                var ids = seen
                while ids.count < stored.count, let event = try await resumed.next() { ids.append(Self.id(event)) }
                #expect(ids == stored)
            }
        }
    }
}
