import NIOCore

/// A publish waiting for its basic.ack.
struct PendingConfirm {
    let promise: EventLoopPromise<Void>
    let mandatory: Bool
    let exchange: String
    let routingKey: String
    let messageID: String?
}

/// A publish encoded but not yet written, because the broker blocked the connection.
struct HeldPublish {
    let frames: ByteBuffer
    let confirm: PendingConfirm
    var promise: EventLoopPromise<Void> { confirm.promise }
}

extension ChannelState {
    /// Publishes; `promise` succeeds on the broker's ack in confirm mode, else once written.
    func publish(
        exchange: String,
        routingKey: String,
        body: ByteBuffer,
        properties: AMQPProperties,
        mandatory: Bool,
        promise: EventLoopPromise<Void>
    ) {
        if let error = unusableError { return promise.fail(error) }
        let frames: ByteBuffer
        do {
            frames = try AMQPFrame.encodePublish(
                channel: id,
                .init(exchange: exchange, routingKey: routingKey, mandatory: mandatory),
                properties: properties,
                body: body,
                maximumBodyFrameSize: connection.maximumBodyFrameSize
            )
        } catch {
            return promise.fail(error)
        }
        let confirm = PendingConfirm(
            promise: promise, mandatory: mandatory, exchange: exchange, routingKey: routingKey, messageID: properties.messageID
        )
        // Held publishes keep their order: nothing overtakes them.
        if connection.blocked || !flowActive || !heldPublishes.isEmpty {
            heldPublishes.append(HeldPublish(frames: frames, confirm: confirm))
            return
        }
        write(frames, confirm: confirm)
    }

    private func write(_ frames: ByteBuffer, confirm: PendingConfirm) {
        if confirms != nil {
            _ = confirms?.register(confirm)
            connection.write(frames)
        } else {
            connection.write(frames).cascade(to: confirm.promise)
        }
    }

    /// Writes held publishes after connection.unblocked or channel.flow(active).
    func resumePublishing() {
        while !connection.blocked, flowActive, status == .open, let held = heldPublishes.popFirst() {
            write(held.frames, confirm: held.confirm)
        }
    }

    func settleConfirms(_ tag: UInt64, multiple: Bool, acked: Bool) {
        guard confirms != nil else { return }
        for settled in confirms?.settle(tag, multiple: multiple) ?? [] {
            if acked {
                settled.token.promise.succeed()
            } else {
                settled.token.promise.fail(AMQPError.publishNacked(deliveryTag: settled.tag))
            }
        }
    }

    /// basic.return carries no delivery tag, so it is matched to the oldest pending mandatory
    /// publish with the same message ID, exchange and routing key. Set a unique message ID (as
    /// fedora-messaging does) and the match is exact.
    func handleReturn(_ returned: AMQPMethod.BasicReturn, properties: AMQPProperties) {
        let error = AMQPError.messageReturned(
            replyCode: returned.replyCode, replyText: returned.replyText, exchange: returned.exchange, routingKey: returned.routingKey
        )
        let match = confirms?.removeFirst { pending in
            pending.mandatory && pending.messageID == properties.messageID && pending.exchange == returned.exchange
                && pending.routingKey == returned.routingKey
        }
        guard let match else {
            logger.warning("broker returned a message no publish is waiting for", metadata: ["amqp_error": "\(error)"])
            return
        }
        match.token.promise.fail(error)
    }
}
