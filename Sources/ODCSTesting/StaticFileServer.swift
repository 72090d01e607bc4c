import Hummingbird
import Logging
import SystemPackage

/// Serves a directory over HTTP on 127.0.0.1 and an ephemeral port for the duration of
/// `body`, which gets the base URL (`http://127.0.0.1:<port>`, no trailing slash). For tests
/// that read repositories over HTTP.
///
///     try await StaticFileServer.serving(repoRoot) { baseURL in try await reader.read(.url(baseURL + "/repo")) }
public enum StaticFileServer {
    public static func serving<R: Sendable>(_ directory: FilePath, _ body: @Sendable (String) async throws -> R) async throws -> R {
        let router = Router()
        router.add(middleware: FileMiddleware(directory.string, searchForIndexHtml: false))
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "static-file-server")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }, logger: logger)
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask {
                // A server that fails to bind must not leave the caller waiting for a port.
                defer { portContinuation.finish() }
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port != 0 else {
                group.cancelAll()
                throw ServerDidNotStart()
            }
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        }
    }

    public struct ServerDidNotStart: Error {}
}
