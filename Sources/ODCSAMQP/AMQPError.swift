/// Everything that can go wrong in this module, each with a description a person can act on.
///
/// Descriptions never contain the password. Broker close reasons carry the broker's own reply
/// code and text (``AMQPCloseReason``), which already name the exchange, queue or user involved.
public enum AMQPError: Error, Sendable, Equatable {
    /// The configuration or URL cannot be used; `key` names the bad part.
    case invalidConfiguration(key: String, reason: String)
    /// No TCP connection could be made.
    case connectFailed(host: String, port: Int, reason: String)
    /// TCP connect plus AMQP handshake did not finish in time.
    case connectTimedOut(host: String, port: Int, after: Duration)
    /// The broker refused the credentials (reply code 403 during the handshake).
    case accessRefused(username: String, virtualHost: String, replyText: String)
    /// The broker offers no mechanism we speak (we speak PLAIN).
    case unsupportedAuthenticationMechanism(offered: String)
    /// The broker closed the connection (e.g. 320 CONNECTION_FORCED when it shuts down).
    case connectionClosedByBroker(AMQPCloseReason)
    /// The broker closed the channel (e.g. 404 NOT_FOUND for a missing exchange). The connection
    /// stays usable: open a new channel.
    case channelClosedByBroker(channel: UInt16, AMQPCloseReason)
    /// The socket closed or failed without an AMQP close (broker killed, network cut, TLS error).
    case connectionLost(reason: String)
    /// Nothing arrived from the broker for two heartbeat intervals.
    case heartbeatTimeout(after: Duration)
    /// This client closed the connection; operations that were still waiting fail with this.
    case connectionClosed
    /// This client closed the channel; operations that were still waiting fail with this.
    case channelClosed(channel: UInt16)
    /// The broker could not take responsibility for the message (basic.nack). Publish it again.
    case publishNacked(deliveryTag: UInt64)
    /// A `mandatory` message matched no queue and came back (basic.return).
    case messageReturned(replyCode: UInt16, replyText: String, exchange: String, routingKey: String)
    /// Bytes that do not follow AMQP 0-9-1 arrived, or we were asked to send such bytes.
    case protocolViolation(String)
}

extension AMQPError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidConfiguration(let key, let reason):
            return "AMQP configuration '\(key)' is invalid: \(reason)."
        case .connectFailed(let host, let port, let reason):
            return
                "Could not connect to the AMQP broker at \(host):\(port) (\(reason)). Check that RabbitMQ is running and listening there."
        case .connectTimedOut(let host, let port, let after):
            return
                "Connecting to the AMQP broker at \(host):\(port) did not finish within \(after). Check the address, firewalls and whether the port speaks AMQP (TLS ports need amqps://)."
        case .accessRefused(let username, let virtualHost, let replyText):
            return
                "The AMQP broker refused user '\(username)' on virtual host '\(virtualHost)' (\(replyText)). Check the username and password."
        case .unsupportedAuthenticationMechanism(let offered):
            return
                "The AMQP broker offers the authentication mechanisms '\(offered)', but this client only speaks PLAIN. Enable PLAIN on the broker."
        case .connectionClosedByBroker(let reason):
            return "The AMQP broker closed the connection: \(reason). \(reason.hint)"
        case .channelClosedByBroker(let channel, let reason):
            return "The AMQP broker closed channel \(channel): \(reason). \(reason.hint)"
        case .connectionLost(let reason):
            return "The connection to the AMQP broker was lost (\(reason)). Reconnect and publish unconfirmed messages again."
        case .heartbeatTimeout(let after):
            return
                "The AMQP broker sent nothing for \(after) (two heartbeat intervals), so the connection was dropped. Reconnect and publish unconfirmed messages again."
        case .connectionClosed:
            return "The AMQP connection was closed by this client. Open a new connection."
        case .channelClosed(let channel):
            return "AMQP channel \(channel) was closed by this client. Open a new channel."
        case .publishNacked(let deliveryTag):
            return
                "The AMQP broker refused message \(deliveryTag) (basic.nack), e.g. because a queue is full or failed. Publish it again later."
        case .messageReturned(let replyCode, let replyText, let exchange, let routingKey):
            return
                "The AMQP broker returned a mandatory message published to exchange '\(exchange)' with routing key '\(routingKey)': \(replyCode) \(replyText). Bind a queue that matches the routing key."
        case .protocolViolation(let detail):
            return "AMQP protocol violation: \(detail). This is a bug in the client or the broker; the connection was closed."
        }
    }
}

/// Why the broker closed a connection or a channel: the arguments of its connection.close or
/// channel.close method.
public struct AMQPCloseReason: Sendable, Hashable, CustomStringConvertible {
    /// The AMQP reply code, e.g. 320 (CONNECTION_FORCED), 403 (ACCESS_REFUSED), 404 (NOT_FOUND).
    public var replyCode: UInt16
    /// The broker's text, which starts with the code's name, e.g. "NOT_FOUND - no exchange 'x' in vhost '/'".
    public var replyText: String
    /// The class of the method that caused the close, 0 if none.
    public var classID: UInt16
    /// The method that caused the close, 0 if none.
    public var methodID: UInt16

    public init(replyCode: UInt16, replyText: String, classID: UInt16 = 0, methodID: UInt16 = 0) {
        self.replyCode = replyCode
        self.replyText = replyText
        self.classID = classID
        self.methodID = methodID
    }

    public var description: String { "\(replyCode) \(replyText)" }

    /// What the reader can do about it, by reply code.
    var hint: String {
        switch replyCode {
        case 320: "The broker is shutting down or an operator closed the connection; reconnect with back-off."
        case 403: "The user lacks a permission; check the user's permissions on the virtual host."
        case 404: "The exchange or queue does not exist; declare it first or fix the name."
        case 405: "Another connection holds an exclusive lock on the queue."
        case 406: "A declare did not match the existing entity's settings, or a precondition failed."
        case 530: "The operation is not allowed, e.g. the virtual host does not exist or the user may not use it."
        case 501, 502, 503, 504, 505: "The broker saw a protocol error; this is a bug in the client."
        default: "See the broker log for details."
        }
    }
}
