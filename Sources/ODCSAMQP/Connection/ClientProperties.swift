/// What we tell the broker about ourselves in connection.start-ok.
enum ClientProperties {
    /// The capabilities make RabbitMQ send what this client handles: basic.nack and acks for
    /// confirms, basic.cancel when a queue goes away, connection.blocked on resource alarms, and a
    /// connection.close 403 (instead of a bare socket close) when the login fails.
    static func table(connectionName: String?) -> AMQPTable {
        var table: AMQPTable = [
            "product": "odcs-amqp",
            "version": "0.1.0",
            "platform": "Swift",
            "information": "ODCS AMQP 0-9-1 client over SwiftNIO",
            "capabilities": [
                "publisher_confirms": true,
                "basic.nack": true,
                "consumer_cancel_notify": true,
                "connection.blocked": true,
                "authentication_failure_close": true,
                "per_consumer_qos": true,
            ],
        ]
        if let connectionName { table["connection_name"] = .string(connectionName) }
        return table
    }

    /// PLAIN (RFC 4616): authorization identity (empty), NUL, user, NUL, password.
    static func startOk(for configuration: AMQPConfiguration) -> AMQPMethod.ConnectionStartOk {
        AMQPMethod.ConnectionStartOk(
            clientProperties: table(connectionName: configuration.connectionName),
            mechanism: "PLAIN",
            response: [0] + Array(configuration.username.utf8) + [0] + Array(configuration.password.utf8),
            locale: "en_US"
        )
    }
}
