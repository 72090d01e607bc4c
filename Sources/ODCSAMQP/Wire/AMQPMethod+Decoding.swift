import NIOCore

extension AMQPMethod {
    /// Reads a method frame's payload. Arguments after the last one we know are ignored, as the
    /// specification allows peers to extend methods.
    static func decode(from buffer: inout ByteBuffer) throws -> AMQPMethod {
        let classID = try buffer.readAMQPInteger(as: UInt16.self, "class id")
        let methodID = try buffer.readAMQPInteger(as: UInt16.self, "method id")
        let id = ID(classID: classID, methodID: methodID)
        switch (classID, methodID) {
        case (10, 10):
            let major = try buffer.readAMQPInteger(as: UInt8.self, "connection.start version")
            let minor = try buffer.readAMQPInteger(as: UInt8.self, "connection.start version")
            return .connectionStart(
                ConnectionStart(
                    versionMajor: major,
                    versionMinor: minor,
                    serverProperties: try buffer.readTable("server properties"),
                    mechanisms: try buffer.readLongString("mechanisms"),
                    locales: try buffer.readLongString("locales")
                )
            )
        case (10, 11):
            return .connectionStartOk(
                ConnectionStartOk(
                    clientProperties: try buffer.readTable("client properties"),
                    mechanism: try buffer.readShortString("mechanism"),
                    response: try buffer.readLongBytes("response"),
                    locale: try buffer.readShortString("locale")
                )
            )
        case (10, 30): return .connectionTune(try readTune(&buffer))
        case (10, 31): return .connectionTuneOk(try readTune(&buffer))
        case (10, 40):
            let virtualHost = try buffer.readShortString("virtual host")
            _ = try buffer.readShortString("capabilities")
            _ = try buffer.readBits(1, id)
            return .connectionOpen(virtualHost: virtualHost)
        case (10, 41):
            _ = try buffer.readShortString("known hosts")
            return .connectionOpenOk
        case (10, 50): return .connectionClose(try readCloseReason(&buffer))
        case (10, 51): return .connectionCloseOk
        case (10, 60): return .connectionBlocked(reason: try buffer.readShortString("blocked reason"))
        case (10, 61): return .connectionUnblocked
        case (20, 10):
            _ = try buffer.readShortString("reserved")
            return .channelOpen
        case (20, 11):
            _ = try buffer.readLongString("reserved")
            return .channelOpenOk
        case (20, 20): return .channelFlow(active: try buffer.readBits(1, id)[0])
        case (20, 21): return .channelFlowOk(active: try buffer.readBits(1, id)[0])
        case (20, 40): return .channelClose(try readCloseReason(&buffer))
        case (20, 41): return .channelCloseOk
        case (40, 10):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let exchange = try buffer.readShortString("exchange name")
            let type = try buffer.readShortString("exchange type")
            let bits = try buffer.readBits(5, id)
            return .exchangeDeclare(
                ExchangeDeclare(
                    exchange: exchange, type: type, passive: bits[0], durable: bits[1], autoDelete: bits[2], internal: bits[3],
                    arguments: try buffer.readTable("arguments")
                )
            )
        case (40, 11): return .exchangeDeclareOk
        case (40, 20):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let exchange = try buffer.readShortString("exchange name")
            return .exchangeDelete(exchange: exchange, ifUnused: try buffer.readBits(2, id)[0])
        case (40, 21): return .exchangeDeleteOk
        case (50, 10):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let queue = try buffer.readShortString("queue name")
            let bits = try buffer.readBits(5, id)
            return .queueDeclare(
                QueueDeclare(
                    queue: queue, passive: bits[0], durable: bits[1], exclusive: bits[2], autoDelete: bits[3],
                    arguments: try buffer.readTable("arguments")
                )
            )
        case (50, 11):
            return .queueDeclareOk(
                queue: try buffer.readShortString("queue name"),
                messageCount: try buffer.readAMQPInteger("message count"),
                consumerCount: try buffer.readAMQPInteger("consumer count")
            )
        case (50, 20):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let queue = try buffer.readShortString("queue name")
            let exchange = try buffer.readShortString("exchange name")
            let routingKey = try buffer.readShortString("routing key")
            _ = try buffer.readBits(1, id)
            return .queueBind(
                QueueBind(queue: queue, exchange: exchange, routingKey: routingKey, arguments: try buffer.readTable("arguments"))
            )
        case (50, 21): return .queueBindOk
        case (50, 30):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let queue = try buffer.readShortString("queue name")
            _ = try buffer.readBits(1, id)
            return .queuePurge(queue: queue)
        case (50, 31): return .queuePurgeOk(messageCount: try buffer.readAMQPInteger("message count"))
        case (50, 40):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let queue = try buffer.readShortString("queue name")
            let bits = try buffer.readBits(3, id)
            return .queueDelete(queue: queue, ifUnused: bits[0], ifEmpty: bits[1])
        case (50, 41): return .queueDeleteOk(messageCount: try buffer.readAMQPInteger("message count"))
        case (60, 10):
            return .basicQos(
                prefetchSize: try buffer.readAMQPInteger("prefetch size"),
                prefetchCount: try buffer.readAMQPInteger("prefetch count"),
                global: try buffer.readBits(1, id)[0]
            )
        case (60, 11): return .basicQosOk
        case (60, 20):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let queue = try buffer.readShortString("queue name")
            let tag = try buffer.readShortString("consumer tag")
            let bits = try buffer.readBits(4, id)
            return .basicConsume(
                BasicConsume(
                    queue: queue, consumerTag: tag, noLocal: bits[0], noAck: bits[1], exclusive: bits[2],
                    arguments: try buffer.readTable("arguments")
                )
            )
        case (60, 21): return .basicConsumeOk(consumerTag: try buffer.readShortString("consumer tag"))
        case (60, 30):
            let tag = try buffer.readShortString("consumer tag")
            return .basicCancel(consumerTag: tag, noWait: try buffer.readBits(1, id)[0])
        case (60, 31): return .basicCancelOk(consumerTag: try buffer.readShortString("consumer tag"))
        case (60, 40):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let exchange = try buffer.readShortString("exchange name")
            let routingKey = try buffer.readShortString("routing key")
            let bits = try buffer.readBits(2, id)
            return .basicPublish(BasicPublish(exchange: exchange, routingKey: routingKey, mandatory: bits[0]))
        case (60, 50):
            return .basicReturn(
                BasicReturn(
                    replyCode: try buffer.readAMQPInteger("reply code"),
                    replyText: try buffer.readShortString("reply text"),
                    exchange: try buffer.readShortString("exchange name"),
                    routingKey: try buffer.readShortString("routing key")
                )
            )
        case (60, 60):
            return .basicDeliver(
                BasicDeliver(
                    consumerTag: try buffer.readShortString("consumer tag"),
                    deliveryTag: try buffer.readAMQPInteger("delivery tag"),
                    redelivered: try buffer.readBits(1, id)[0],
                    exchange: try buffer.readShortString("exchange name"),
                    routingKey: try buffer.readShortString("routing key")
                )
            )
        case (60, 70):
            _ = try buffer.readAMQPInteger(as: UInt16.self, "reserved")
            let queue = try buffer.readShortString("queue name")
            return .basicGet(queue: queue, noAck: try buffer.readBits(1, id)[0])
        case (60, 71):
            return .basicGetOk(
                BasicGetOk(
                    deliveryTag: try buffer.readAMQPInteger("delivery tag"),
                    redelivered: try buffer.readBits(1, id)[0],
                    exchange: try buffer.readShortString("exchange name"),
                    routingKey: try buffer.readShortString("routing key"),
                    messageCount: try buffer.readAMQPInteger("message count")
                )
            )
        case (60, 72):
            _ = try buffer.readShortString("reserved")
            return .basicGetEmpty
        case (60, 80):
            let tag = try buffer.readAMQPInteger(as: UInt64.self, "delivery tag")
            return .basicAck(deliveryTag: tag, multiple: try buffer.readBits(1, id)[0])
        case (60, 90):
            let tag = try buffer.readAMQPInteger(as: UInt64.self, "delivery tag")
            return .basicReject(deliveryTag: tag, requeue: try buffer.readBits(1, id)[0])
        case (60, 120):
            let tag = try buffer.readAMQPInteger(as: UInt64.self, "delivery tag")
            let bits = try buffer.readBits(2, id)
            return .basicNack(deliveryTag: tag, multiple: bits[0], requeue: bits[1])
        case (85, 10): return .confirmSelect(noWait: try buffer.readBits(1, id)[0])
        case (85, 11): return .confirmSelectOk
        default:
            throw AMQPError.protocolViolation("unsupported method \(id)")
        }
    }

    private static func readTune(_ buffer: inout ByteBuffer) throws -> Tune {
        Tune(
            channelMax: try buffer.readAMQPInteger("channel max"),
            frameMax: try buffer.readAMQPInteger("frame max"),
            heartbeat: try buffer.readAMQPInteger("heartbeat")
        )
    }

    private static func readCloseReason(_ buffer: inout ByteBuffer) throws -> AMQPCloseReason {
        AMQPCloseReason(
            replyCode: try buffer.readAMQPInteger("reply code"),
            replyText: try buffer.readShortString("reply text"),
            classID: try buffer.readAMQPInteger("class id"),
            methodID: try buffer.readAMQPInteger("method id")
        )
    }
}

extension ByteBuffer {
    /// Reads one octet of packed bit arguments and returns the first `count` bits.
    mutating func readBits(_ count: Int, _ method: AMQPMethod.ID) throws -> [Bool] {
        let octet = try readAMQPInteger(as: UInt8.self, "bit arguments of method \(method)")
        return (0..<count).map { octet & (1 << $0) != 0 }
    }
}
