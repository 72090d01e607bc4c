import Foundation
import Logging
import NIOCore
import ODCSAMQP
import ODCSCore

/// Events to RabbitMQ, fedora-messaging style: a persistent JSON message on a topic exchange
/// (`amq.topic` by default) with the event's routing key, published with publisher confirms
/// and confirmed only once the broker acknowledged it.
///
/// Properties and headers as fedora-messaging sets them: `content_type: application/json`,
/// `content_encoding: utf-8`, `message_id` (`odcs-event-<outbox id>`: the same id again is
/// the same event, since delivery is at least once), `timestamp`, headers
/// `fedora_messaging_schema: base.message`, `fedora_messaging_severity: 20`, `priority: 0`,
/// `sent-at` (ISO 8601, UTC).
///
/// One connection per node, opened on first use and after any failure, trying the brokers in
/// order; a lost connection fails the batch, which the publisher retries with back-off.
public actor AMQPBackend: EventBackend {
    public struct Configuration: Sendable {
        public var brokers: [AMQPConfiguration]
        public var exchange: String
        public var routingKey: String
        /// For one batch's confirms.
        public var confirmTimeout: Duration

        public init(brokers: [AMQPConfiguration], exchange: String, routingKey: String, confirmTimeout: Duration = .seconds(30)) {
            self.brokers = brokers
            self.exchange = exchange
            self.routingKey = routingKey
            self.confirmTimeout = confirmTimeout
        }
    }

    public nonisolated let name = "amqp"
    let configuration: Configuration
    let logger: Logger
    private var connection: AMQPConnection?
    private var channel: AMQPChannel?

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func deliver(_ messages: [EventMessage]) async -> [String?] {
        guard !messages.isEmpty else { return [] }
        let channel: AMQPChannel
        do {
            channel = try await openChannel()
        } catch {
            return messages.map { _ in "no broker: \(error)" }
        }
        let sentAt = ISO8601DateFormatter().string(from: Date())
        // Pipelined: every message is on the wire before the first confirm is awaited.
        let confirms = messages.map { message in
            channel.startPublish(
                exchange: configuration.exchange, routingKey: configuration.routingKey, body: ByteBuffer(string: message.body),
                properties: Self.properties(of: message, sentAt: sentAt))
        }
        let results: [String?]
        do {
            results = try await Deadline.run(configuration.confirmTimeout) {
                var results: [String?] = []
                for confirm in confirms {
                    do {
                        try await confirm.get()
                        results.append(nil)
                    } catch {
                        results.append("\(error)")
                    }
                }
                return results
            }
        } catch {
            // Unconfirmed in time: all of them go again (at least once), on a new connection.
            results = messages.map { _ in "no confirm from the broker within \(configuration.confirmTimeout)" }
        }
        if results.contains(where: { $0 != nil }) { await reset() }
        return results
    }

    static func properties(of message: EventMessage, sentAt: String) -> AMQPProperties {
        AMQPProperties(
            contentType: "application/json", contentEncoding: "utf-8",
            headers: [
                "fedora_messaging_schema": .string("base.message"), "fedora_messaging_severity": .int32(20),
                "priority": .int32(0), "sent-at": .string(sentAt), "odcs_compose_id": .int64(message.composeID),
                "odcs_state": .string(message.state),
            ], deliveryMode: .persistent, messageID: "odcs-event-\(message.id)", timestamp: message.createdAt)
    }

    private func openChannel() async throws -> AMQPChannel {
        if let channel, let connection, connection.isOpen, await channel.isOpen { return channel }
        await reset()
        var lastError: (any Error)?
        for broker in configuration.brokers {
            do {
                let connection = try await AMQPConnection.connect(to: broker, logger: logger)
                let channel = try await connection.openChannel(publisherConfirms: true)
                if configuration.exchange != "" && !configuration.exchange.hasPrefix("amq.") {
                    try await channel.declareExchange(configuration.exchange, type: "topic", durable: true)
                }
                self.connection = connection
                self.channel = channel
                logger.info("Connected to the AMQP broker", metadata: ["broker": "\(broker.host):\(broker.port)"])
                return channel
            } catch {
                lastError = error
                logger.warning("AMQP broker unavailable", metadata: ["broker": "\(broker.host):\(broker.port)", "error": "\(error)"])
            }
        }
        throw lastError ?? AMQPBackendError.noBroker
    }

    private func reset() async {
        let old = connection
        connection = nil
        channel = nil
        await old?.close()
    }

    public func close() async { await reset() }

    enum AMQPBackendError: Error, CustomStringConvertible {
        case noBroker
        var description: String { "no AMQP broker is configured" }
    }
}
