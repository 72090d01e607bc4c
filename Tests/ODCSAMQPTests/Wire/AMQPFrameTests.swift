import Foundation
import NIOCore
import Testing

@testable import ODCSAMQP

@Suite struct AMQPFrameTests {
    private func encode(_ frames: AMQPFrame...) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        for frame in frames { try buffer.writeAMQPFrame(frame) }
        return buffer
    }

    private func decodeAll(_ buffer: ByteBuffer, maximumFrameSize: UInt32 = 131_072) throws -> [AMQPFrame] {
        var buffer = buffer
        var decoder = AMQPFrameDecoder(maximumFrameSize: maximumFrameSize)
        var frames: [AMQPFrame] = []
        while let frame = try decoder.decode(buffer: &buffer) { frames.append(frame) }
        #expect(buffer.readableBytes == 0)
        return frames
    }

    @Test func protocolHeaderIsAMQP0091() {
        #expect(AMQPFrame.protocolHeader == Array("AMQP".utf8) + [0, 0, 9, 1])
    }

    @Test func heartbeatFrameBytes() throws {
        #expect(Array(try encode(.heartbeat).readableBytesView) == [8, 0, 0, 0, 0, 0, 0, 0xCE])
    }

    @Test func basicAckFrameBytes() throws {
        let bytes = Array(try encode(.method(channel: 1, .basicAck(deliveryTag: 7, multiple: true))).readableBytesView)
        let expected: [UInt8] = [
            1, 0, 1, 0, 0, 0, 13,  // method frame, channel 1, size 13
            0, 60, 0, 80,  // basic.ack
            0, 0, 0, 0, 0, 0, 0, 7,  // delivery tag
            1,  // multiple
            0xCE,
        ]
        #expect(bytes == expected)
    }

    @Test func connectionTuneBytes() throws {
        let tune = AMQPMethod.Tune(channelMax: 2047, frameMax: 131_072, heartbeat: 60)
        let bytes = Array(try encode(.method(channel: 0, .connectionTuneOk(tune))).readableBytesView)
        #expect(bytes == [1, 0, 0, 0, 0, 0, 12, 0, 10, 0, 31, 0x07, 0xFF, 0, 2, 0, 0, 0, 60, 0xCE])
    }

    static let methods: [AMQPMethod] = [
        .connectionStart(
            .init(
                serverProperties: ["product": "RabbitMQ", "capabilities": ["publisher_confirms": true]], mechanisms: "AMQPLAIN PLAIN",
                locales: "en_US")),
        .connectionStartOk(.init(clientProperties: ["product": "odcs"], mechanism: "PLAIN", response: [0, 117, 0, 112], locale: "en_US")),
        .connectionTune(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60)),
        .connectionTuneOk(.init(channelMax: 10, frameMax: 4096, heartbeat: 0)),
        .connectionOpen(virtualHost: "/"), .connectionOpenOk,
        .connectionClose(AMQPCloseReason(replyCode: 320, replyText: "CONNECTION_FORCED - shutdown", classID: 0, methodID: 0)),
        .connectionCloseOk, .connectionBlocked(reason: "low on memory"), .connectionUnblocked,
        .channelOpen, .channelOpenOk, .channelFlow(active: false), .channelFlowOk(active: true),
        .channelClose(AMQPCloseReason(replyCode: 404, replyText: "NOT_FOUND - no exchange 'x' in vhost '/'", classID: 60, methodID: 40)),
        .channelCloseOk,
        .exchangeDeclare(
            .init(
                exchange: "odcs", type: "topic", passive: false, durable: true, autoDelete: false, internal: true,
                arguments: ["alternate-exchange": "ae"])),
        .exchangeDeclareOk, .exchangeDelete(exchange: "odcs", ifUnused: true), .exchangeDeleteOk,
        .queueDeclare(
            .init(queue: "q", passive: true, durable: true, exclusive: false, autoDelete: true, arguments: ["x-max-priority": 10])),
        .queueDeclareOk(queue: "amq.gen-1", messageCount: 3, consumerCount: 1),
        .queueBind(.init(queue: "q", exchange: "odcs", routingKey: "odcs.#", arguments: [:])), .queueBindOk,
        .queuePurge(queue: "q"), .queuePurgeOk(messageCount: 9), .queueDelete(queue: "q", ifUnused: false, ifEmpty: true),
        .queueDeleteOk(messageCount: 2), .basicQos(prefetchSize: 0, prefetchCount: 50, global: false), .basicQosOk,
        .basicConsume(.init(queue: "q", consumerTag: "c1", noLocal: false, noAck: true, exclusive: true, arguments: [:])),
        .basicConsumeOk(consumerTag: "c1"), .basicCancel(consumerTag: "c1", noWait: true), .basicCancelOk(consumerTag: "c1"),
        .basicPublish(.init(exchange: "odcs", routingKey: "odcs.compose.state-changed", mandatory: true)),
        .basicReturn(.init(replyCode: 312, replyText: "NO_ROUTE", exchange: "odcs", routingKey: "nowhere")),
        .basicDeliver(.init(consumerTag: "c1", deliveryTag: 1 << 40, redelivered: true, exchange: "odcs", routingKey: "k")),
        .basicGet(queue: "q", noAck: false),
        .basicGetOk(.init(deliveryTag: 5, redelivered: false, exchange: "", routingKey: "q", messageCount: 4)), .basicGetEmpty,
        .basicAck(deliveryTag: 3, multiple: false), .basicReject(deliveryTag: 4, requeue: true),
        .basicNack(deliveryTag: 5, multiple: true, requeue: false), .confirmSelect(noWait: false), .confirmSelectOk,
    ]

    @Test(arguments: methods) func methodFrameRoundTrips(_ method: AMQPMethod) throws {
        #expect(try decodeAll(try encode(.method(channel: 3, method))) == [.method(channel: 3, method)])
    }

    @Test func contentHeaderWithAllPropertiesRoundTrips() throws {
        let properties = AMQPProperties(
            contentType: "application/json", contentEncoding: "utf-8",
            headers: [
                "fedora_messaging_schema": "odcs.compose.state-changed", "fedora_messaging_severity": 20,
                "sent-at": "2019-07-30T19:12:22+00:00",
            ],
            deliveryMode: .persistent, priority: 4, correlationID: "corr", replyTo: "replies", expiration: "60000",
            messageID: "0c7a2f3e-5d0e-4a4b-9a51-2f1f3d1e9b10", timestamp: Date(timeIntervalSince1970: 1_564_513_942),
            type: "compose", userID: "odcs", appID: "odcs-node"
        )
        let header = AMQPFrame.ContentHeader(bodySize: 1234, properties: properties)
        #expect(try decodeAll(try encode(.header(channel: 9, header))) == [.header(channel: 9, header)])
    }

    @Test func emptyPropertiesAreJustFlags() throws {
        let bytes = Array(try encode(.header(channel: 1, .init(bodySize: 5, properties: AMQPProperties()))).readableBytesView)
        #expect(bytes == [2, 0, 1, 0, 0, 0, 14, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0xCE])
    }

    @Test func publishSplitsBodyByFrameMax() throws {
        let body = ByteBuffer(bytes: (0..<10_000).map { UInt8(truncatingIfNeeded: $0) })
        let encoded = try AMQPFrame.encodePublish(
            channel: 2, .init(exchange: "odcs", routingKey: "k"), properties: AMQPProperties(), body: body,
            maximumBodyFrameSize: 4096 - AMQPFrame.overhead
        )
        let frames = try decodeAll(encoded, maximumFrameSize: 4096)
        #expect(frames.count == 5)
        var reassembled = ByteBuffer()
        for case .body(2, var slice) in frames {
            #expect(slice.readableBytes <= 4088)
            reassembled.writeBuffer(&slice)
        }
        #expect(reassembled == body)
    }

    @Test func emptyBodyHasNoBodyFrame() throws {
        let encoded = try AMQPFrame.encodePublish(
            channel: 1, .init(exchange: "", routingKey: "q"), properties: AMQPProperties(), body: ByteBuffer(), maximumBodyFrameSize: 4088
        )
        #expect(try decodeAll(encoded).count == 2)
    }

    @Test func decoderWaitsForWholeFrame() throws {
        let full = try encode(.method(channel: 1, .basicAck(deliveryTag: 1, multiple: false)))
        var partial = full.getSlice(at: 0, length: full.readableBytes - 1)!
        var decoder = AMQPFrameDecoder(maximumFrameSize: 4096)
        #expect(try decoder.decode(buffer: &partial) == nil)
        #expect(partial.readableBytes == full.readableBytes - 1)
    }

    @Test func decoderRejectsMissingFrameEnd() throws {
        var bytes = try encode(.heartbeat)
        bytes.setInteger(UInt8(0), at: 7)
        var decoder = AMQPFrameDecoder(maximumFrameSize: 4096)
        #expect(throws: AMQPError.self) { try decoder.decode(buffer: &bytes) }
    }

    @Test func decoderRejectsOversizedFrame() throws {
        var bytes = ByteBuffer(bytes: [3, 0, 1, 0, 1, 0, 0])
        var decoder = AMQPFrameDecoder(maximumFrameSize: 4096)
        #expect(throws: AMQPError.self) { try decoder.decode(buffer: &bytes) }
    }
}
