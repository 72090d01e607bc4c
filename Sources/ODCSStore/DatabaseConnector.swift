import Logging
import PostgresNIO

/// Opens dedicated connections outside the pool, for what must stay on one session:
/// LISTEN, and the session advisory locks of leader-only duties.
public struct DatabaseConnector: Sendable {
    public var configuration: PostgresConnection.Configuration

    public init(configuration: PostgresConnection.Configuration) {
        self.configuration = configuration
    }

    public func connect(logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: configuration, id: Int.random(in: 1...Int(Int32.max)), logger: logger)
    }

    /// Runs `body` on a fresh connection and closes it afterwards, whatever happens. The
    /// close is not awaited: on a connection the server already dropped it may never finish.
    public func withConnection<R: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> R) async throws -> R {
        let connection = try await connect(logger: logger)
        defer { Task { try? await connection.close() } }
        return try await body(connection)
    }
}
