import Foundation
import NIOCore
import ODCSAMQP
import Synchronization
import Testing

extension RabbitMQTests {
    @Suite struct BrokerOutageTests {
        /// `stop-app` stops RabbitMQ inside a running node (rabbitmqctl stop_app); `stop-node` stops
        /// the whole node as the private-broker script does, then starts it again on the same DIR.
        @Test(arguments: [("stop-app", "start-app"), ("stop-node", "start-node")])
        func brokerShutdownFailsOutstandingPublishesPromptly(stop: String, start: String) async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true).name
            // Publishers keep 64 messages in flight until the broker goes away.
            let publishers = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<64 {
                        group.addTask {
                            while true {
                                try await channel.publish(exchange: "", routingKey: queue, body: ByteBuffer(repeating: 0x7B, count: 1200))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            try TestBroker.control(stop)
            var restarted = false
            defer { if !restarted { try? TestBroker.control(start) } }
            // The broker says 320 CONNECTION_FORCED before closing the socket; when our unread
            // publishes make its close a TCP reset, the close frame can be lost and we see the reset.
            func isShutdown(_ error: any Error) -> Bool {
                switch error {
                case AMQPError.connectionClosedByBroker(let reason): reason.replyCode == 320
                case AMQPError.connectionLost: true
                default: false
                }
            }
            await #expect(performing: { try await connection.closeFuture.get() }, throws: isShutdown)
            // A guard against a hang (outstanding confirms that never fail), not a speed check.
            let publishersEnded = try await withDeadline(.seconds(30)) { await publishers.result }
            guard case .failure(let error) = publishersEnded, isShutdown(error) else {
                Issue.record("publishers ended with \(publishersEnded)")
                return
            }

            try TestBroker.control(start)
            restarted = true
            let again = try await TestBroker.connect()
            let fresh = try await again.openChannel()
            let name = try await fresh.declareQueue(exclusive: true).name
            try await fresh.publish(exchange: "", routingKey: name, body: ByteBuffer(string: "back"))
            await again.close()
        }

        @Test func blockedConnectionHoldsPublishesUntilUnblocked() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            // The broker stops reading from a blocked connection, so counts come from another one.
            let observer = try await TestBroker.connect()
            let counter = try await observer.openChannel()
            let queue = try await counter.declareQueue(TestBroker.uniqueName("blocked"), autoDelete: false).name
            try TestBroker.control("ctl", "set_vm_memory_high_watermark", "0")
            defer { try? TestBroker.control("ctl", "set_vm_memory_high_watermark", "0.4") }
            let done = ManagedFlag()
            let held = channel.startPublish(exchange: "", routingKey: queue, body: ByteBuffer(string: "waits"))
            held.whenComplete { _ in done.set() }
            // Showing that nothing happens needs a window of time; half a second is many round trips.
            try await Task.sleep(for: .milliseconds(500))
            #expect(!done.isSet)
            #expect(try await counter.declareQueue(queue, passive: true).messageCount == 0)
            try TestBroker.control("ctl", "set_vm_memory_high_watermark", "0.4")
            try await withDeadline(.seconds(10)) { try await held.get() }
            #expect(try await counter.declareQueue(queue, passive: true).messageCount == 1)
            try await counter.deleteQueue(queue)
            await connection.close()
            await observer.close()
        }
    }
}

/// A flag set from a future callback and read by the test.
final class ManagedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
