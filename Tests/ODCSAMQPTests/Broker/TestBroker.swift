import Foundation
import Logging
import NIOCore
import ODCSAMQP
import Testing

/// The RabbitMQ node the broker tests talk to, found through the environment that
/// `scripts/rabbitmq-private.sh start DIR PORT` writes to `DIR/env`.
enum TestBroker {
    struct NotConfigured: Error, CustomStringConvertible {
        let variable: String
        var description: String {
            """
            \(variable) is not set, so there is no RabbitMQ to test against. Start a private broker and export its settings:
                scripts/rabbitmq-private.sh start /tmp/odcs-rmq 5673 && source /tmp/odcs-rmq/env
            then run swift test again (stop it with: scripts/rabbitmq-private.sh stop /tmp/odcs-rmq).
            """
        }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        var description: String { "rabbitmq-private.sh \(arguments.joined(separator: " ")) exited with \(status)" }
    }

    static func environment(_ variable: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else { throw NotConfigured(variable: variable) }
        return value
    }

    static func configuration(heartbeat: Duration = .seconds(60)) throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: environment("TEST_AMQP_URL"))
        configuration.heartbeat = heartbeat
        configuration.connectTimeout = .seconds(10)
        return configuration
    }

    static var logger: Logger {
        var logger = Logger(label: "odcs.amqp.test")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    static func connect(heartbeat: Duration = .seconds(60)) async throws -> AMQPConnection {
        try await AMQPConnection.connect(to: configuration(heartbeat: heartbeat), logger: logger)
    }

    /// A name no other test run uses, so runs never see each other's queues.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8))"
    }

    /// Runs `scripts/rabbitmq-private.sh COMMAND $TEST_RABBITMQ_DIR ARGS…` and waits for it.
    static func control(_ command: String, _ arguments: String...) throws {
        let directory = try environment("TEST_RABBITMQ_DIR")
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/rabbitmq-private.sh")
        let process = Process()
        process.executableURL = script
        process.arguments = [command, directory] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(arguments: [command] + arguments, status: process.terminationStatus)
        }
    }

    /// The beam process of the test node, for freezing it with SIGSTOP.
    static func brokerPID() throws -> pid_t {
        let directory = try environment("TEST_RABBITMQ_DIR")
        let text = try String(contentsOfFile: "\(directory)/rabbitmq.pid", encoding: .utf8)
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CommandFailed(arguments: ["read pid file"], status: -1)
        }
        return pid
    }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "did not finish within \(limit)" }
}

/// Waits for `operation` at most `limit`, so a regression shows up as a failure, not a hung run.
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(limit: limit)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded(limit: limit) }
        return first
    }
}

/// Every test that needs a broker lives in here, one at a time: some stop, freeze or block the
/// broker, which would break tests running beside them.
@Suite(.serialized) enum RabbitMQTests {}
