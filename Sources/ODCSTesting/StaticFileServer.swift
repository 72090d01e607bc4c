import Hummingbird
import Logging
import Synchronization
import SystemPackage

/// Serves a directory over HTTP on 127.0.0.1 and an ephemeral port for the duration of
/// `body`, which gets the base URL (`http://127.0.0.1:<port>`, no trailing slash). For tests
/// that read repositories over HTTP.
///
///     try await StaticFileServer.serving(repoRoot) { baseURL in try await reader.read(.url(baseURL + "/repo")) }
public enum StaticFileServer {
    /// `requests`, when given, records the path of every request, in order.
    public static func serving<R: Sendable>(
        _ directory: FilePath, requests: RequestLog? = nil, _ body: @Sendable (String) async throws -> R
    ) async throws -> R {
        let router = Router()
        if let requests { router.add(middleware: requests) }
        router.add(middleware: FileMiddleware(directory.string, searchForIndexHtml: false))
        return try await serving(router, label: "static-file-server") { port in try await body("http://127.0.0.1:\(port)") }
    }

    /// Runs `router` on `host` and `port` (0: any free port) until `body`, which gets the
    /// port, returns. The test servers (files, the Koji hub, webhook receivers) share it.
    public static func serving<R: Sendable>(
        _ router: Router<BasicRequestContext>, host: String = "127.0.0.1", port: Int = 0, label: String,
        _ body: @Sendable (Int) async throws -> R
    ) async throws -> R {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: label)
        // Cancelling the server at the end logs shutdown noise at error level.
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
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
            let result = try await body(port)
            group.cancelAll()
            return result
        }
    }

    public struct ServerDidNotStart: Error {}

    /// The paths a `StaticFileServer` was asked for.
    public final class RequestLog: RouterMiddleware, Sendable {
        public typealias Context = BasicRequestContext
        private let recorded = Mutex<[String]>([])

        public init() {}

        public var paths: [String] { recorded.withLock { $0 } }

        public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
        {
            recorded.withLock { $0.append(request.uri.path) }
            return try await next(request, context)
        }
    }
}
