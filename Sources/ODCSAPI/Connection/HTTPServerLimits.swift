import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// What one node's HTTP server grants a client (issue 14): deadlines for a request's head and
/// body and for a silent kept-alive connection (`ConnectionDeadlines`), and a cap on open
/// connections. Beyond the cap the server stops accepting; new connections wait in the
/// kernel's backlog until one closes, so a flood of idle sockets cannot take the file
/// descriptors the database connections need.
///
/// Usage: `Application(router:server: .guardedHTTP1(limits, logger:), configuration: limits.applying(to: configuration, logger:))`.
public struct HTTPServerLimits: Sendable, Equatable {
    public var headerTimeout: Duration
    public var bodyTimeout: Duration
    public var idleTimeout: Duration
    public var maxConnections: Int

    public static let defaultHeaderTimeout: Duration = .seconds(10)
    public static let defaultBodyTimeout: Duration = .seconds(60)
    public static let defaultIdleTimeout: Duration = .seconds(75)
    public static let defaultMaxConnections = 1024

    public init(
        headerTimeout: Duration = defaultHeaderTimeout, bodyTimeout: Duration = defaultBodyTimeout,
        idleTimeout: Duration = defaultIdleTimeout, maxConnections: Int = defaultMaxConnections
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = max(1, maxConnections)
    }

    var deadlineLimits: ConnectionDeadlines.Limits {
        .init(header: TimeAmount(headerTimeout), body: TimeAmount(bodyTimeout), idle: TimeAmount(idleTimeout))
    }

    /// `configuration` with the connection cap.
    public func applying(to configuration: ApplicationConfiguration, logger: Logger) -> ApplicationConfiguration {
        var configuration = configuration
        configuration.availableConnectionsDelegate = MaximumAvailableConnections(maxConnections, logger: logger)
        return configuration
    }
}

extension HTTPServerBuilder {
    /// Hummingbird's HTTP/1.1 server as every node serves it: a `ConnectionGuard` on every
    /// connection (Hummingbird's own idle timeout stays off: the guard's deadlines cover it,
    /// and a trickled head, which Hummingbird's does not see), and the `PeerCloseHandler` that
    /// lets an event stream notice its client leave.
    public static func guardedHTTP1(_ limits: HTTPServerLimits, logger: Logger) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, limits: limits.deadlineLimits, logger: logger) }
    }
}

/// `HTTP1Channel` with the guard's two handlers and the peer-close handler added to each
/// connection's pipeline.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionDeadlines.Limits
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let connectionGuard: NIOLoopBound<ConnectionGuard>
        do {
            let handler = ConnectionGuard(limits: limits, logger: self.logger)
            // First in the pipeline, before the HTTP decoder that the HTTP1 channel adds.
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard.ByteWatcher(handler))
            connectionGuard = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let http1 = HTTP1Channel(
            responder: responder, configuration: .init(additionalChannelHandlers: [connectionGuard.value, PeerCloseHandler()]))
        return http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await HTTP1Channel(responder: responder).handle(value: value, logger: logger)
    }
}
