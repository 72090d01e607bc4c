import Logging
import ODCSStore
import PostgresNIO

/// LISTEN on a dedicated connection; every notification (and every reconnect) calls
/// `notified`. A watchdog pings the connection every few seconds under a hard deadline (a
/// connection the server dropped can hang instead of failing) and reconnects, with back-off,
/// when the ping fails. Callers poll as well, so a lost notification only costs latency.
/// Used by the services here and by the node's event hub (which cannot import this module).
public enum PostgresListener {
    public static func run(channel: NotifyChannel, connector: DatabaseConnector, logger: Logger, notified: @escaping @Sendable () -> Void)
        async
    {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                let connection = try await connector.connect(logger: logger)
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
                while true {
                    try await Task.sleep(for: .seconds(5))
                    try await Deadline.run(.seconds(5)) { try await connection.query("SELECT 1", logger: logger) }
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
