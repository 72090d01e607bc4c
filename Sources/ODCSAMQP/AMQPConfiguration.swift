/// Where and how to connect to an AMQP 0-9-1 broker (RabbitMQ).
///
/// Build it in code or from a URL in RabbitMQ's URI format:
///
/// ```swift
/// let config = try AMQPConfiguration(url: "amqps://odcs:secret@rabbitmq.example.com/%2Fpubsub?heartbeat=30")
/// ```
///
/// `description` shows everything except the password.
public struct AMQPConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    /// The virtual host; "/" is RabbitMQ's default.
    public var virtualHost: String
    /// TLS settings; nil for plain TCP.
    public var tls: TLS?
    /// The heartbeat interval we ask for, rounded up to whole seconds. The broker's and ours are
    /// combined as RabbitMQ's own clients do: the smaller of the two, or the non-zero one when one
    /// side says zero. `.zero` therefore means "whatever the broker asks for".
    public var heartbeat: Duration
    /// Limit for TCP connect plus TLS and AMQP handshakes.
    public var connectTimeout: Duration
    /// The largest frame we accept; the broker's limit and ours are combined like `heartbeat`.
    public var frameMax: UInt32
    /// The most channels we open at once (1...65535).
    public var channelMax: UInt16
    /// Shown in RabbitMQ's management UI and logs, e.g. "odcs-node-1 outbox".
    public var connectionName: String?

    /// TLS settings for `amqps`.
    public struct TLS: Sendable, Hashable {
        /// How much of the broker's certificate to check.
        public enum Verification: Sendable, Hashable {
            /// Chain and host name (the default).
            case full
            /// Chain only; for brokers reached by an address not in their certificate.
            case noHostname
            /// Nothing: encryption without authentication. Only for tests.
            case none
        }

        /// PEM file with the CA certificates to trust; nil trusts the system's store.
        public var caFile: String?
        /// PEM client certificate and key, for brokers that require client certificates.
        public var certificateFile: String?
        public var privateKeyFile: String?
        public var verification: Verification
        /// The name to send (SNI) and check; nil uses `host` when it is a name, not an address.
        public var serverName: String?

        public init(
            caFile: String? = nil,
            certificateFile: String? = nil,
            privateKeyFile: String? = nil,
            verification: Verification = .full,
            serverName: String? = nil
        ) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
            self.verification = verification
            self.serverName = serverName
        }
    }

    public static let defaultPort = 5672
    public static let defaultTLSPort = 5671
    /// Once a minute is RabbitMQ's default too.
    public static let defaultHeartbeat = Duration.seconds(60)
    public static let defaultConnectTimeout = Duration.seconds(10)
    /// RabbitMQ's default frame_max.
    public static let defaultFrameMax: UInt32 = 131_072
    /// RabbitMQ's default channel_max.
    public static let defaultChannelMax: UInt16 = 2047

    public init(
        host: String = "localhost",
        port: Int? = nil,
        username: String = "guest",
        password: String = "guest",
        virtualHost: String = "/",
        tls: TLS? = nil,
        heartbeat: Duration = AMQPConfiguration.defaultHeartbeat,
        connectTimeout: Duration = AMQPConfiguration.defaultConnectTimeout,
        frameMax: UInt32 = AMQPConfiguration.defaultFrameMax,
        channelMax: UInt16 = AMQPConfiguration.defaultChannelMax,
        connectionName: String? = nil
    ) {
        self.host = host
        self.port = port ?? (tls == nil ? Self.defaultPort : Self.defaultTLSPort)
        self.username = username
        self.password = password
        self.virtualHost = virtualHost
        self.tls = tls
        self.heartbeat = heartbeat
        self.connectTimeout = connectTimeout
        self.frameMax = frameMax
        self.channelMax = channelMax
        self.connectionName = connectionName
    }

    /// Checks what the broker would otherwise reject in a less readable way.
    func validate() throws {
        guard !host.isEmpty else { throw AMQPError.invalidConfiguration(key: "host", reason: "it is empty") }
        guard (1...65535).contains(port) else {
            throw AMQPError.invalidConfiguration(key: "port", reason: "\(port) is not between 1 and 65535")
        }
        guard frameMax >= AMQPFrame.minimumFrameMax else {
            throw AMQPError.invalidConfiguration(key: "frame_max", reason: "\(frameMax) is below the protocol minimum of 4096")
        }
        guard channelMax >= 1 else { throw AMQPError.invalidConfiguration(key: "channel_max", reason: "it must be at least 1") }
        guard heartbeat >= .zero, heartbeat <= .seconds(65535) else {
            throw AMQPError.invalidConfiguration(key: "heartbeat", reason: "\(heartbeat) is not between 0 and 65535 seconds")
        }
        guard connectTimeout > .zero else {
            throw AMQPError.invalidConfiguration(key: "connection_timeout", reason: "it must be positive")
        }
        for (key, value) in [("username", username), ("virtual host", virtualHost)] where value.utf8.count > 255 {
            throw AMQPError.invalidConfiguration(key: key, reason: "it is longer than 255 bytes")
        }
    }
}

extension AMQPConfiguration: CustomStringConvertible {
    public var description: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let vhost = virtualHost == "/" ? "%2F" : virtualHost
        return "\(scheme)://\(username):***@\(host):\(port)/\(vhost) heartbeat=\(heartbeat) connect_timeout=\(connectTimeout)"
    }
}
