import NIOCore

extension AMQPMethod {
    var id: ID {
        switch self {
        case .connectionStart: ID(classID: 10, methodID: 10)
        case .connectionStartOk: ID(classID: 10, methodID: 11)
        case .connectionTune: ID(classID: 10, methodID: 30)
        case .connectionTuneOk: ID(classID: 10, methodID: 31)
        case .connectionOpen: ID(classID: 10, methodID: 40)
        case .connectionOpenOk: ID(classID: 10, methodID: 41)
        case .connectionClose: ID(classID: 10, methodID: 50)
        case .connectionCloseOk: ID(classID: 10, methodID: 51)
        case .connectionBlocked: ID(classID: 10, methodID: 60)
        case .connectionUnblocked: ID(classID: 10, methodID: 61)
        case .channelOpen: ID(classID: 20, methodID: 10)
        case .channelOpenOk: ID(classID: 20, methodID: 11)
        case .channelFlow: ID(classID: 20, methodID: 20)
        case .channelFlowOk: ID(classID: 20, methodID: 21)
        case .channelClose: ID(classID: 20, methodID: 40)
        case .channelCloseOk: ID(classID: 20, methodID: 41)
        case .exchangeDeclare: ID(classID: 40, methodID: 10)
        case .exchangeDeclareOk: ID(classID: 40, methodID: 11)
        case .exchangeDelete: ID(classID: 40, methodID: 20)
        case .exchangeDeleteOk: ID(classID: 40, methodID: 21)
        case .queueDeclare: ID(classID: 50, methodID: 10)
        case .queueDeclareOk: ID(classID: 50, methodID: 11)
        case .queueBind: ID(classID: 50, methodID: 20)
        case .queueBindOk: ID(classID: 50, methodID: 21)
        case .queuePurge: ID(classID: 50, methodID: 30)
        case .queuePurgeOk: ID(classID: 50, methodID: 31)
        case .queueDelete: ID(classID: 50, methodID: 40)
        case .queueDeleteOk: ID(classID: 50, methodID: 41)
        case .basicQos: ID(classID: 60, methodID: 10)
        case .basicQosOk: ID(classID: 60, methodID: 11)
        case .basicConsume: ID(classID: 60, methodID: 20)
        case .basicConsumeOk: ID(classID: 60, methodID: 21)
        case .basicCancel: ID(classID: 60, methodID: 30)
        case .basicCancelOk: ID(classID: 60, methodID: 31)
        case .basicPublish: ID(classID: 60, methodID: 40)
        case .basicReturn: ID(classID: 60, methodID: 50)
        case .basicDeliver: ID(classID: 60, methodID: 60)
        case .basicGet: ID(classID: 60, methodID: 70)
        case .basicGetOk: ID(classID: 60, methodID: 71)
        case .basicGetEmpty: ID(classID: 60, methodID: 72)
        case .basicAck: ID(classID: 60, methodID: 80)
        case .basicReject: ID(classID: 60, methodID: 90)
        case .basicNack: ID(classID: 60, methodID: 120)
        case .confirmSelect: ID(classID: 85, methodID: 10)
        case .confirmSelectOk: ID(classID: 85, methodID: 11)
        }
    }

    /// Writes class ID, method ID and arguments: the payload of a method frame.
    func encode(into buffer: inout ByteBuffer) throws {
        buffer.writeInteger(id.classID)
        buffer.writeInteger(id.methodID)
        switch self {
        case .connectionStart(let m):
            buffer.writeInteger(m.versionMajor)
            buffer.writeInteger(m.versionMinor)
            try buffer.writeTable(m.serverProperties)
            buffer.writeLongString(m.mechanisms)
            buffer.writeLongString(m.locales)
        case .connectionStartOk(let m):
            try buffer.writeTable(m.clientProperties)
            try buffer.writeShortString(m.mechanism, field: "mechanism")
            buffer.writeLongBytes(m.response)
            try buffer.writeShortString(m.locale, field: "locale")
        case .connectionTune(let t), .connectionTuneOk(let t):
            buffer.writeInteger(t.channelMax)
            buffer.writeInteger(t.frameMax)
            buffer.writeInteger(t.heartbeat)
        case .connectionOpen(let virtualHost):
            try buffer.writeShortString(virtualHost, field: "virtual host")
            try buffer.writeShortString("", field: "capabilities")
            buffer.writeBits(false)
        case .connectionOpenOk, .basicGetEmpty:
            try buffer.writeShortString("", field: "reserved")
        case .connectionClose(let r), .channelClose(let r):
            buffer.writeInteger(r.replyCode)
            try buffer.writeShortString(r.replyText.truncatedToShortString(), field: "reply text")
            buffer.writeInteger(r.classID)
            buffer.writeInteger(r.methodID)
        case .connectionCloseOk, .connectionUnblocked, .channelCloseOk, .exchangeDeclareOk, .exchangeDeleteOk,
            .queueBindOk, .basicQosOk, .confirmSelectOk:
            break
        case .connectionBlocked(let reason):
            try buffer.writeShortString(reason, field: "blocked reason")
        case .channelOpen:
            try buffer.writeShortString("", field: "reserved")
        case .channelOpenOk:
            buffer.writeLongString("")
        case .channelFlow(let active), .channelFlowOk(let active):
            buffer.writeBits(active)
        case .exchangeDeclare(let m):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(m.exchange, field: "exchange name")
            try buffer.writeShortString(m.type, field: "exchange type")
            buffer.writeBits(m.passive, m.durable, m.autoDelete, m.internal, false)
            try buffer.writeTable(m.arguments)
        case .exchangeDelete(let exchange, let ifUnused):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(exchange, field: "exchange name")
            buffer.writeBits(ifUnused, false)
        case .queueDeclare(let m):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(m.queue, field: "queue name")
            buffer.writeBits(m.passive, m.durable, m.exclusive, m.autoDelete, false)
            try buffer.writeTable(m.arguments)
        case .queueDeclareOk(let queue, let messageCount, let consumerCount):
            try buffer.writeShortString(queue, field: "queue name")
            buffer.writeInteger(messageCount)
            buffer.writeInteger(consumerCount)
        case .queueBind(let m):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(m.queue, field: "queue name")
            try buffer.writeShortString(m.exchange, field: "exchange name")
            try buffer.writeShortString(m.routingKey, field: "routing key")
            buffer.writeBits(false)
            try buffer.writeTable(m.arguments)
        case .queuePurge(let queue):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(queue, field: "queue name")
            buffer.writeBits(false)
        case .queuePurgeOk(let count), .queueDeleteOk(let count):
            buffer.writeInteger(count)
        case .queueDelete(let queue, let ifUnused, let ifEmpty):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(queue, field: "queue name")
            buffer.writeBits(ifUnused, ifEmpty, false)
        case .basicQos(let prefetchSize, let prefetchCount, let global):
            buffer.writeInteger(prefetchSize)
            buffer.writeInteger(prefetchCount)
            buffer.writeBits(global)
        case .basicConsume(let m):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(m.queue, field: "queue name")
            try buffer.writeShortString(m.consumerTag, field: "consumer tag")
            buffer.writeBits(m.noLocal, m.noAck, m.exclusive, false)
            try buffer.writeTable(m.arguments)
        case .basicConsumeOk(let tag), .basicCancelOk(let tag):
            try buffer.writeShortString(tag, field: "consumer tag")
        case .basicCancel(let tag, let noWait):
            try buffer.writeShortString(tag, field: "consumer tag")
            buffer.writeBits(noWait)
        case .basicPublish(let m):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(m.exchange, field: "exchange name")
            try buffer.writeShortString(m.routingKey, field: "routing key")
            buffer.writeBits(m.mandatory, false)
        case .basicReturn(let m):
            buffer.writeInteger(m.replyCode)
            try buffer.writeShortString(m.replyText, field: "reply text")
            try buffer.writeShortString(m.exchange, field: "exchange name")
            try buffer.writeShortString(m.routingKey, field: "routing key")
        case .basicDeliver(let m):
            try buffer.writeShortString(m.consumerTag, field: "consumer tag")
            buffer.writeInteger(m.deliveryTag)
            buffer.writeBits(m.redelivered)
            try buffer.writeShortString(m.exchange, field: "exchange name")
            try buffer.writeShortString(m.routingKey, field: "routing key")
        case .basicGet(let queue, let noAck):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(queue, field: "queue name")
            buffer.writeBits(noAck)
        case .basicGetOk(let m):
            buffer.writeInteger(m.deliveryTag)
            buffer.writeBits(m.redelivered)
            try buffer.writeShortString(m.exchange, field: "exchange name")
            try buffer.writeShortString(m.routingKey, field: "routing key")
            buffer.writeInteger(m.messageCount)
        case .basicAck(let tag, let flag), .basicReject(let tag, let flag):
            buffer.writeInteger(tag)
            buffer.writeBits(flag)
        case .basicNack(let tag, let multiple, let requeue):
            buffer.writeInteger(tag)
            buffer.writeBits(multiple, requeue)
        case .confirmSelect(let noWait):
            buffer.writeBits(noWait)
        }
    }
}

extension String {
    /// Reply texts are ours to shorten; cut at a character boundary so the bytes stay valid UTF-8.
    func truncatedToShortString() -> String {
        var result = self
        while result.utf8.count > 255 { result.removeLast() }
        return result
    }
}

extension ByteBuffer {
    /// Consecutive bit arguments share octets, least significant bit first (spec 4.2.5.2).
    mutating func writeBits(_ bits: Bool...) {
        var octet: UInt8 = 0
        for (index, bit) in bits.enumerated() where bit { octet |= 1 << index }
        writeInteger(octet)
    }
}
