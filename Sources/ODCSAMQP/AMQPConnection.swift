import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A connection to an AMQP 0-9-1 broker (RabbitMQ).
///
/// ```swift
/// let connection = try await AMQPConnection.connect(to: AMQPConfiguration(url: url), logger: logger)
/// let channel = try await connection.openChannel()            // publisher confirms on
/// try await channel.publish(exchange: "amq.topic", routingKey: "odcs.compose.state-changed",
///                           body: ByteBuffer(string: json), properties: properties)
/// await connection.close()
/// ```
///
/// There is no automatic reconnect. When the broker goes away every waiting operation fails at
/// once with an ``AMQPError`` and ``closeFuture`` fails with the same error. The owner (for ODCS,
/// the outbox publisher) then connects again with back-off and publishes again whatever was not
/// confirmed; connecting costs one TCP (and TLS) handshake plus three round trips, so a new
/// connection per outage is cheap.
public final class AMQPConnection: Sendable {
    public let configuration: AMQPConfiguration
    let handler: NIOLoopBound<AMQPConnectionHandler>
    let channel: any Channel
    private let status: ConnectionStatus

    /// Succeeds when the connection closed through ``close()``; fails with the reason when the
    /// broker closed it or it was lost.
    public let closeFuture: EventLoopFuture<Void>

    /// False from the moment the connection starts to close or is lost.
    public var isOpen: Bool { status.isOpen }

    public var eventLoop: any EventLoop { channel.eventLoop }

    private init(
        configuration: AMQPConfiguration, handler: NIOLoopBound<AMQPConnectionHandler>, channel: any Channel, status: ConnectionStatus,
        closeFuture: EventLoopFuture<Void>
    ) {
        self.configuration = configuration
        self.handler = handler
        self.channel = channel
        self.status = status
        self.closeFuture = closeFuture
    }

    /// Connects, authenticates with PLAIN and opens the virtual host.
    ///
    /// Throws ``AMQPError/accessRefused(username:virtualHost:replyText:)`` for bad credentials,
    /// ``AMQPError/connectFailed(host:port:reason:)`` or ``AMQPError/connectTimedOut(host:port:after:)``
    /// when the broker cannot be reached.
    public static func connect(
        to configuration: AMQPConfiguration,
        on group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "odcs.amqp")
    ) async throws -> AMQPConnection {
        try configuration.validate()
        var logger = logger
        logger[metadataKey: "amqp_host"] = "\(configuration.host):\(configuration.port)"
        logger[metadataKey: "amqp_vhost"] = "\(configuration.virtualHost)"
        let tls = try configuration.tls.map { try AMQPTLS.makeHandlerFactory($0, host: configuration.host) }
        let status = ConnectionStatus()
        // The handler as the initializer made it: a broker that refuses the handshake (an
        // unknown vhost, bad credentials) closes the connection at once, and the handler may
        // be gone from the pipeline before it could be looked up there.
        let made = MadeHandler()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [logger] channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(try tls()) }
                    try pipeline.addHandler(ByteToMessageHandler(AMQPFrameDecoder(maximumFrameSize: configuration.frameMax)))
                    let handler = AMQPConnectionHandler(
                        configuration: configuration, logger: logger, status: status, eventLoop: channel.eventLoop)
                    try pipeline.addHandler(handler)
                    made.set(
                        NIOLoopBound(handler, eventLoop: channel.eventLoop), handshake: handler.handshakePromise.futureResult,
                        close: handler.closePromise.futureResult)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch let error as ChannelError {
            if case .connectTimeout = error {
                throw AMQPError.connectTimedOut(host: configuration.host, port: configuration.port, after: configuration.connectTimeout)
            }
            throw AMQPError.connectFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        } catch {
            throw AMQPError.connectFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        guard let (handler, handshake, closeFuture) = made.get() else {
            channel.close(promise: nil)
            throw AMQPError.connectFailed(host: configuration.host, port: configuration.port, reason: "the connection was not set up")
        }
        do {
            try await handshake.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return AMQPConnection(configuration: configuration, handler: handler, channel: channel, status: status, closeFuture: closeFuture)
    }

    /// Opens a channel; with `publisherConfirms` (the default) publishes on it wait for the
    /// broker's confirm.
    public func openChannel(publisherConfirms: Bool = true) async throws -> AMQPChannel {
        let promise = eventLoop.makePromise(of: AMQPChannel.self)
        let handler = handler
        eventLoop.execute { handler.value.openChannel(publisherConfirms: publisherConfirms, promise: promise) }
        return try await promise.futureResult.get()
    }

    /// Closes the connection in order (connection.close, then close-ok) and waits for the socket to
    /// close. Operations still waiting fail with ``AMQPError/connectionClosed``. Never throws:
    /// a connection that is already gone counts as closed.
    public func close() async {
        let handler = handler
        eventLoop.execute { handler.value.close() }
        _ = try? await closeFuture.get()
    }
}

/// The connection handler the channel initializer made, handed to `connect` (the initializer
/// runs on the event loop; `connect` reads it once the socket is connected).
private final class MadeHandler: Sendable {
    typealias Made = (handler: NIOLoopBound<AMQPConnectionHandler>, handshake: EventLoopFuture<Void>, close: EventLoopFuture<Void>)
    private let made = Mutex<Made?>(nil)

    func set(_ handler: NIOLoopBound<AMQPConnectionHandler>, handshake: EventLoopFuture<Void>, close: EventLoopFuture<Void>) {
        made.withLock { $0 = (handler, handshake, close) }
    }

    func get() -> Made? { made.withLock { $0 } }
}
