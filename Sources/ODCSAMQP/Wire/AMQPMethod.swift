import NIOCore

/// The AMQP 0-9-1 methods this client sends or receives, with their arguments.
///
/// Only what a publisher and a simple consumer need is here: no transactions, no exchange-to-exchange
/// bindings, no SASL challenge rounds. A method the broker sends that is not listed makes the
/// decoder throw, which closes the connection with a protocol violation rather than ignoring it.
enum AMQPMethod: Sendable, Hashable {
    case connectionStart(ConnectionStart)
    case connectionStartOk(ConnectionStartOk)
    case connectionTune(Tune)
    case connectionTuneOk(Tune)
    case connectionOpen(virtualHost: String)
    case connectionOpenOk
    case connectionClose(AMQPCloseReason)
    case connectionCloseOk
    case connectionBlocked(reason: String)
    case connectionUnblocked

    case channelOpen
    case channelOpenOk
    case channelFlow(active: Bool)
    case channelFlowOk(active: Bool)
    case channelClose(AMQPCloseReason)
    case channelCloseOk

    case exchangeDeclare(ExchangeDeclare)
    case exchangeDeclareOk
    case exchangeDelete(exchange: String, ifUnused: Bool)
    case exchangeDeleteOk

    case queueDeclare(QueueDeclare)
    case queueDeclareOk(queue: String, messageCount: UInt32, consumerCount: UInt32)
    case queueBind(QueueBind)
    case queueBindOk
    case queuePurge(queue: String)
    case queuePurgeOk(messageCount: UInt32)
    case queueDelete(queue: String, ifUnused: Bool, ifEmpty: Bool)
    case queueDeleteOk(messageCount: UInt32)

    case basicQos(prefetchSize: UInt32, prefetchCount: UInt16, global: Bool)
    case basicQosOk
    case basicConsume(BasicConsume)
    case basicConsumeOk(consumerTag: String)
    case basicCancel(consumerTag: String, noWait: Bool)
    case basicCancelOk(consumerTag: String)
    case basicPublish(BasicPublish)
    case basicReturn(BasicReturn)
    case basicDeliver(BasicDeliver)
    case basicGet(queue: String, noAck: Bool)
    case basicGetOk(BasicGetOk)
    case basicGetEmpty
    case basicAck(deliveryTag: UInt64, multiple: Bool)
    case basicReject(deliveryTag: UInt64, requeue: Bool)
    case basicNack(deliveryTag: UInt64, multiple: Bool, requeue: Bool)

    case confirmSelect(noWait: Bool)
    case confirmSelectOk

    struct ConnectionStart: Sendable, Hashable {
        var versionMajor: UInt8 = 0
        var versionMinor: UInt8 = 9
        var serverProperties: AMQPTable
        /// Space-separated, e.g. "AMQPLAIN PLAIN".
        var mechanisms: String
        var locales: String
    }

    struct ConnectionStartOk: Sendable, Hashable {
        var clientProperties: AMQPTable
        var mechanism: String
        /// For PLAIN: NUL, user, NUL, password. Never logged.
        var response: [UInt8]
        var locale: String
    }

    /// connection.tune and tune-ok share their arguments.
    struct Tune: Sendable, Hashable {
        var channelMax: UInt16
        var frameMax: UInt32
        /// Seconds; 0 means none.
        var heartbeat: UInt16
    }

    struct ExchangeDeclare: Sendable, Hashable {
        var exchange: String
        var type: String
        var passive = false
        var durable = false
        var autoDelete = false
        var `internal` = false
        var arguments: AMQPTable = [:]
    }

    struct QueueDeclare: Sendable, Hashable {
        var queue: String
        var passive = false
        var durable = false
        var exclusive = false
        var autoDelete = false
        var arguments: AMQPTable = [:]
    }

    struct QueueBind: Sendable, Hashable {
        var queue: String
        var exchange: String
        var routingKey: String
        var arguments: AMQPTable = [:]
    }

    struct BasicConsume: Sendable, Hashable {
        var queue: String
        var consumerTag: String
        var noLocal = false
        var noAck = false
        var exclusive = false
        var arguments: AMQPTable = [:]
    }

    struct BasicPublish: Sendable, Hashable {
        var exchange: String
        var routingKey: String
        var mandatory = false
    }

    struct BasicReturn: Sendable, Hashable {
        var replyCode: UInt16
        var replyText: String
        var exchange: String
        var routingKey: String
    }

    struct BasicDeliver: Sendable, Hashable {
        var consumerTag: String
        var deliveryTag: UInt64
        var redelivered: Bool
        var exchange: String
        var routingKey: String
    }

    struct BasicGetOk: Sendable, Hashable {
        var deliveryTag: UInt64
        var redelivered: Bool
        var exchange: String
        var routingKey: String
        var messageCount: UInt32
    }

    /// Class and method IDs from the specification.
    struct ID: Hashable, Sendable, CustomStringConvertible {
        var classID: UInt16
        var methodID: UInt16
        var description: String { "\(classID).\(methodID)" }
    }

    /// Whether content (a header frame and body frames) follows the method.
    var carriesContent: Bool {
        switch self {
        case .basicPublish, .basicReturn, .basicDeliver, .basicGetOk: true
        default: false
        }
    }
}
