import Foundation
import NIOCore
import ODCSAMQP
import Testing

extension RabbitMQTests {
    @Suite struct ConnectionTests {
        @Test func wrongPasswordIsAccessRefusedNamingTheUser() async throws {
            var configuration = try TestBroker.configuration()
            configuration.password = "not-the-password-x9"
            do {
                _ = try await AMQPConnection.connect(to: configuration, logger: TestBroker.logger)
                Issue.record("connected with a wrong password")
            } catch let error as AMQPError {
                guard case .accessRefused(let username, let virtualHost, let text) = error else {
                    Issue.record("expected accessRefused, got \(error)")
                    return
                }
                #expect(username == configuration.username)
                #expect(virtualHost == configuration.virtualHost)
                #expect(text.contains("ACCESS_REFUSED"))
                #expect(error.description.contains("'\(configuration.username)'"))
                #expect(!error.description.contains("not-the-password-x9"))
            }
        }

        @Test func unknownVirtualHostIsRefused() async throws {
            var configuration = try TestBroker.configuration()
            configuration.virtualHost = "no-such-vhost"
            await #expect {
                _ = try await AMQPConnection.connect(to: configuration, logger: TestBroker.logger)
            } throws: { error in
                guard case AMQPError.connectionClosedByBroker(let reason) = error else { return false }
                return reason.replyCode == 530
            }
        }

        @Test func closedPortFailsToConnect() async throws {
            var configuration = try TestBroker.configuration()
            configuration.port = 1
            await #expect {
                _ = try await AMQPConnection.connect(to: configuration, logger: TestBroker.logger)
            } throws: { error in
                guard case AMQPError.connectFailed(_, 1, _) = error else { return false }
                return true
            }
        }

        @Test func shortHeartbeatKeepsIdleConnectionOpen() async throws {
            let connection = try await TestBroker.connect(heartbeat: .seconds(1))
            let channel = try await connection.openChannel()
            // Idle for three broker timeouts (2 × 1 s each); only heartbeats cross the wire.
            try await Task.sleep(for: .seconds(6))
            #expect(connection.isOpen)
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.publish(exchange: "", routingKey: queue, body: ByteBuffer(string: "after idling"))
            await connection.close()
        }

        @Test func frozenBrokerIsDetectedByMissingHeartbeats() async throws {
            let pid = try TestBroker.brokerPID()
            let connection = try await TestBroker.connect(heartbeat: .seconds(1))
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true).name
            kill(pid, SIGSTOP)
            defer { kill(pid, SIGCONT) }
            let outstanding = channel.startPublish(exchange: "", routingKey: queue, body: ByteBuffer(string: "into the void"))
            await #expect(throws: AMQPError.heartbeatTimeout(after: .seconds(2))) { try await connection.closeFuture.get() }
            await #expect(throws: AMQPError.heartbeatTimeout(after: .seconds(2))) { try await outstanding.get() }
            #expect(!connection.isOpen)
        }

        @Test func tlsConnectionVerifiesBrokerAgainstCA() async throws {
            var configuration = try AMQPConfiguration(url: TestBroker.environment("TEST_AMQPS_URL"))
            configuration.tls?.caFile = try TestBroker.environment("TEST_AMQP_CA_FILE")
            let connection = try await AMQPConnection.connect(to: configuration, logger: TestBroker.logger)
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true).name
            try await channel.publish(exchange: "", routingKey: queue, body: ByteBuffer(string: "over TLS"))
            #expect(try await channel.get(queue: queue, noAck: true).map { String(buffer: $0.body) } == "over TLS")
            await connection.close()

            // The system trust store does not know the test CA.
            configuration.tls?.caFile = nil
            await #expect {
                _ = try await AMQPConnection.connect(to: configuration, logger: TestBroker.logger)
            } throws: { error in
                guard case AMQPError.connectFailed(_, _, let reason) = error else { return false }
                return reason.lowercased().contains("certificate")
            }
        }
    }
}
