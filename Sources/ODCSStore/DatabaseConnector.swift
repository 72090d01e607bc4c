import Logging
import ODCSCore
import PostgresNIO

/// Opens dedicated connections outside the pool, for what must stay on one session:
/// LISTEN, and the session advisory locks of leader-only duties. Callers get a
/// `DatabaseSession`, never the connection itself.
public struct DatabaseConnector: Sendable {
    public var configuration: PostgresConnection.Configuration

    public init(configuration: PostgresConnection.Configuration) {
        self.configuration = configuration
    }

    func connect(logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: configuration, id: Int.random(in: 1...Int(Int32.max)), logger: logger)
    }

    /// Runs `body` on a fresh session and closes it afterwards, whatever happens. The close
    /// is not awaited: on a connection the server already dropped it may never finish.
    public func withSession<R: Sendable>(logger: Logger, _ body: (DatabaseSession) async throws -> R) async throws -> R {
        let connection = try await connect(logger: logger)
        defer { Task { try? await connection.close() } }
        return try await body(DatabaseSession(connection: connection, logger: logger))
    }

    /// LISTEN on `channel` on a dedicated session; every notification (and every reconnect)
    /// calls `notified`. A watchdog pings the session every few seconds under a hard deadline
    /// (a connection the server dropped can hang instead of failing) and reconnects, with
    /// back-off, when the ping fails. Callers poll as well, so a lost notification only costs
    /// latency. Returns when the task is cancelled.
    public func listen(channel: NotifyChannel, logger: Logger, notified: @escaping @Sendable () -> Void) async {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                let connection = try await connect(logger: logger)
                let listener = Task {
                    try await connection.listen(on: channel.rawValue) { notifications in
                        notified()
                        for try await _ in notifications { notified() }
                    }
                }
                defer {
                    listener.cancel()
                    Task { try? await connection.close() }
                }
                delay = .seconds(1)
                let session = DatabaseSession(connection: connection, logger: logger)
                while true {
                    try await Task.sleep(for: .seconds(5))
                    try await Deadline.run(.seconds(5)) { try await session.ping() }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug(
                    "LISTEN connection lost; reconnecting",
                    metadata: ["channel": "\(channel.rawValue)", "error": "\(String(reflecting: error))"])
            }
            do { try await Task.sleep(for: delay) } catch { return }
            delay = min(delay * 2, .seconds(30))
        }
    }
}

/// One dedicated database session (a connection outside the pool): what a session advisory
/// lock is held on. Its statements are `LeaderStore`'s and `ping`.
public struct DatabaseSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public func ping() async throws {
        try await connection.query(HealthSQL.healthSelectOne, logger: logger)
    }
}
