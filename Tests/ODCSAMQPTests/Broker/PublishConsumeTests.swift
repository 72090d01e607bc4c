import Foundation
import NIOCore
import ODCSAMQP
import Testing

extension RabbitMQTests {
    @Suite struct PublishConsumeTests {
        /// A fresh topic exchange with one queue bound to `odcs.#`.
        private func topology(_ channel: AMQPChannel) async throws -> (exchange: String, queue: String) {
            let exchange = TestBroker.uniqueName("odcs-test")
            try await channel.declareExchange(exchange, type: "topic", durable: false, autoDelete: true)
            let queue = try await channel.declareQueue(TestBroker.uniqueName("odcs-test"), exclusive: true).name
            try await channel.bindQueue(queue, exchange: exchange, routingKey: "odcs.#")
            return (exchange, queue)
        }

        @Test func publishedMessageRoundTripsWithAllProperties() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let (exchange, queue) = try await topology(channel)
            let properties = AMQPProperties(
                contentType: "application/json", contentEncoding: "utf-8",
                headers: [
                    "fedora_messaging_schema": "odcs.compose.state-changed.v1", "fedora_messaging_severity": 20,
                    "sent-at": "2019-07-30T19:12:22+00:00", "fedora_messaging_user_jdoe": true,
                    "types": [
                        "b": .int8(-1), "B": .uint8(200), "s": .int16(-2), "u": .uint16(3), "i": .uint32(7),
                        "l": .int64(1 << 40), "f": .float(0.5), "d": .double(2.5), "D": .decimal(scale: 1, value: 15),
                        "x": .bytes([1, 2]), "T": .timestamp(Date(timeIntervalSince1970: 1_000)), "A": [1, "a"], "V": .void,
                    ],
                ],
                deliveryMode: .persistent, priority: 5, correlationID: "corr-1", replyTo: "nobody", expiration: "600000",
                messageID: UUID().uuidString, timestamp: Date(timeIntervalSince1970: 1_564_513_942), type: "compose",
                userID: "odcs", appID: "odcs-node"
            )
            let body = ByteBuffer(string: #"{"compose": {"id": 1, "state_name": "done"}}"#)
            try await channel.publish(
                exchange: exchange, routingKey: "odcs.compose.state-changed", body: body, properties: properties, mandatory: true
            )

            let consumer = try await channel.consume(queue: queue)
            var iterator = consumer.makeAsyncIterator()
            let delivery = try #require(try await iterator.next())
            #expect(delivery.body == body)
            #expect(delivery.routingKey == "odcs.compose.state-changed")
            #expect(delivery.exchange == exchange)
            #expect(delivery.consumerTag == consumer.tag)
            #expect(!delivery.redelivered)
            #expect(delivery.properties == properties)
            try await delivery.ack()
            try await consumer.cancel()
            #expect(try await iterator.next() == nil)
            try await channel.close()
            await connection.close()
            #expect(!connection.isOpen)
        }

        @Test func thousandConcurrentPublishesAreAllConfirmedAndConsumed() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let (exchange, queue) = try await topology(channel)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<1000 {
                    group.addTask {
                        try await channel.publish(exchange: exchange, routingKey: "odcs.test", body: ByteBuffer(string: "\(i)"))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await channel.declareQueue(queue, passive: true).messageCount == 1000)
            let consumer = try await channel.consume(queue: queue, noAck: true)
            var seen = Set<String>()
            for try await delivery in consumer {
                seen.insert(String(buffer: delivery.body))
                if seen.count == 1000 { break }
            }
            #expect(seen == Set((0..<1000).map(String.init)))
            await connection.close()
        }

        @Test func pipelinedPublishesArriveInCallOrder() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let (exchange, queue) = try await topology(channel)
            let confirms = (0..<1000).map { i in
                channel.startPublish(exchange: exchange, routingKey: "odcs.test", body: ByteBuffer(string: "\(i)"))
            }
            for confirm in confirms { try await confirm.get() }
            let consumer = try await channel.consume(queue: queue)
            var order: [Int] = []
            for try await delivery in consumer {
                order.append(Int(String(buffer: delivery.body)) ?? -1)
                if order.count == 1000 {
                    try await delivery.ack(multiple: true)
                    break
                }
            }
            #expect(order == Array(0..<1000))
            await connection.close()
        }

        @Test func publishToMissingExchangeFailsThatPublishAndKeepsConnection() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let missing = TestBroker.uniqueName("no-such-exchange")
            await #expect {
                try await channel.publish(exchange: missing, routingKey: "odcs.test", body: ByteBuffer(string: "{}"))
            } throws: { error in
                guard case AMQPError.channelClosedByBroker(channel.id, let reason) = error else { return false }
                return reason.replyCode == 404 && reason.replyText.contains(missing)
            }
            #expect(await !channel.isOpen)
            await #expect(throws: AMQPError.self) { try await channel.declareQueue(exclusive: true) }
            #expect(connection.isOpen)
            let second = try await connection.openChannel()
            let queue = try await second.declareQueue(exclusive: true).name
            try await second.publish(exchange: "", routingKey: queue, body: ByteBuffer(string: "still here"))
            let got = try #require(try await second.get(queue: queue, noAck: true))
            #expect(String(buffer: got.body) == "still here")
            #expect(try await second.get(queue: queue) == nil)
            await connection.close()
        }

        @Test func closedChannelRefusesOperations() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            try await channel.close()
            try await channel.close()
            await #expect(throws: AMQPError.channelClosed(channel: channel.id)) {
                try await channel.publish(exchange: "", routingKey: "nowhere", body: [1])
            }
            await connection.close()
            await #expect(throws: AMQPError.connectionClosed) { _ = try await connection.openChannel() }
        }

        @Test func mandatoryUnroutableMessageIsReturned() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let (exchange, _) = try await topology(channel)
            await #expect(
                throws: AMQPError.messageReturned(replyCode: 312, replyText: "NO_ROUTE", exchange: exchange, routingKey: "elsewhere")
            ) {
                try await channel.publish(
                    exchange: exchange, routingKey: "elsewhere", body: ByteBuffer(string: "{}"),
                    properties: AMQPProperties(messageID: UUID().uuidString), mandatory: true
                )
            }
            // Without mandatory the broker drops it and still confirms.
            try await channel.publish(exchange: exchange, routingKey: "elsewhere", body: ByteBuffer(string: "{}"))
            await connection.close()
        }

        @Test func largeBodySpansManyFrames() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true).name
            let body = ByteBuffer(bytes: (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await channel.publish(exchange: "", routingKey: queue, body: body)
            let got = try #require(try await channel.get(queue: queue, noAck: true))
            #expect(got.body == body)
            await connection.close()
        }
    }
}
