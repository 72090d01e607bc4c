import Foundation
import NIOCore
import ODCSAMQP
import ODCSTesting
import PostgresNIO
import Testing

/// Compose events through real nodes to a real RabbitMQ (its own private broker, which these
/// tests stop and start: `TEST_EVENTS_AMQP_URL`, `TEST_EVENTS_RABBITMQ_DIR`, set by scripts/test
/// from `scripts/rabbitmq-private.sh start DIR PORT`).
@Suite(.serialized) struct AMQPEventTests {
    static func environment(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestCluster.ClusterError(
                "\(name) is not set: start a broker with scripts/rabbitmq-private.sh start /tmp/odcs-events-rmq 5683, "
                    + "then export TEST_EVENTS_AMQP_URL and TEST_EVENTS_RABBITMQ_DIR (scripts/test does)")
        }
        return value
    }

    /// A durable queue bound to `topic` on amq.topic (it outlives a broker restart).
    static func queue(for topic: String) async throws -> String {
        let connection = try await AMQPConnection.connect(to: AMQPConfiguration(url: environment("TEST_EVENTS_AMQP_URL")))
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let queue = "odcs-test-\(UUID().uuidString.prefix(8))"
        _ = try await channel.declareQueue(queue, durable: true)
        try await channel.bindQueue(queue, exchange: "amq.topic", routingKey: topic)
        return queue
    }

    /// Reads `count` messages from `queue`, in order.
    static func consume(_ queue: String, count: Int) async throws -> [AMQPDelivery] {
        let connection = try await AMQPConnection.connect(to: AMQPConfiguration(url: environment("TEST_EVENTS_AMQP_URL")))
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let consumer = try await channel.consume(queue: queue)
        var deliveries: [AMQPDelivery] = []
        for try await delivery in consumer {
            deliveries.append(delivery)
            try await delivery.ack()
            if deliveries.count == count { break }
        }
        _ = try await channel.deleteQueue(queue)
        return deliveries
    }

    static func compose(_ delivery: AMQPDelivery) throws -> [String: Any] {
        let message = try #require(
            try JSONSerialization.jsonObject(with: Data(buffer: delivery.body)) as? [String: Any])
        #expect(message["event"] as? String == "state-changed")
        return try #require(message["compose"] as? [String: Any])
    }

    static func nodeEnvironment(topic: String) throws -> [String: String] {
        [
            "ODCS_MESSAGING_BACKEND": "amqp", "ODCS_MESSAGING_BROKER_URLS": "[\"\(try environment("TEST_EVENTS_AMQP_URL"))\"]",
            "ODCS_MESSAGING_TOPIC": topic, "ODCS_OUTBOX_RETRY_BACKOFF": "0", "ODCS_OUTBOX_POLL_INTERVAL_MS": "100",
        ]
    }

    static let build = #"{"source": {"type": "build", "source": "", "builds": ["amqp-1-1"]}, "flags": ["no_reuse"]}"#

    @Test(.timeLimit(.minutes(3))) func aComposesWholeLifeArrivesInOrderAsFedoraMessagingMessages() async throws {
        let topic = "odcs.test.\(UUID().uuidString.prefix(8).lowercased())"
        let queue = try await Self.queue(for: topic)
        try await TestCluster.with(environment: try Self.nodeEnvironment(topic: topic)) { cluster in
            try await cluster.start(0)
            let (_, body) = try await cluster.submit(0, Self.build)
            let id = try #require(body["id"] as? Int)
            try await cluster.eventually("compose done") { try await cluster.states()[2] == 1 }
            _ = try await cluster.request("DELETE", cluster.base(0) + "/api/1/composes/\(id)")
            let deliveries = try await Self.consume(queue, count: 4)
            #expect(try deliveries.map { try Self.compose($0)["state_name"] as? String } == ["wait", "generating", "done", "removed"])
            #expect(try deliveries.allSatisfy { try Self.compose($0)["id"] as? Int == id })
            for delivery in deliveries {
                #expect(delivery.routingKey == topic)
                #expect(delivery.properties.contentType == "application/json")
                #expect(delivery.properties.deliveryMode == .persistent)
                #expect(delivery.properties.messageID?.hasPrefix("odcs-event-") == true)
                #expect(delivery.properties.headers?["fedora_messaging_schema"] == .string("base.message"))
                #expect(delivery.properties.headers?["sent-at"] != nil)
            }
            let ids = deliveries.compactMap { $0.properties.messageID.flatMap { Int($0.dropFirst("odcs-event-".count)) } }
            #expect(ids == ids.sorted() && Set(ids).count == 4)
        }
    }

    @Test(.timeLimit(.minutes(5))) func eventsMadeWhileTheBrokerIsDownArriveAfterItComesBackAndNoneForARollback() async throws {
        let topic = "odcs.test.\(UUID().uuidString.prefix(8).lowercased())"
        let queue = try await Self.queue(for: topic)
        let directory = try Self.environment("TEST_EVENTS_RABBITMQ_DIR")
        try await TestCluster.with(environment: try Self.nodeEnvironment(topic: topic)) { cluster in
            try await cluster.start(0)
            try await TestCommand.run([Self.script, "stop-app", directory])
            var ids: [Int] = []
            for _ in 0..<5 {
                let (_, body) = try await cluster.submit(0, Self.build)
                ids.append(try #require(body["id"] as? Int))
            }
            // A state change that is rolled back: no event may come of it.
            struct Rollback: Error {}
            _ = try? await cluster.client.withTransaction(logger: TestDatabase.logger) { connection in
                try await connection.query("UPDATE composes SET state = 4 WHERE id = \(ids[0])", logger: TestDatabase.logger)
                throw Rollback()
            }
            try await cluster.eventually("all 5 composes done while the broker is down") { try await cluster.states()[2] == 5 }
            try await TestCommand.run([Self.script, "start-app", directory])
            let deliveries = try await Self.consume(queue, count: 15)
            var byCompose: [Int: [String]] = [:]
            for delivery in deliveries {
                let compose = try Self.compose(delivery)
                byCompose[compose["id"] as? Int ?? 0, default: []].append(compose["state_name"] as? String ?? "")
            }
            #expect(Set(byCompose.keys) == Set(ids))
            for id in ids { #expect(byCompose[id] == ["wait", "generating", "done"], "compose \(id)") }
        }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/rabbitmq-private.sh").path
}
