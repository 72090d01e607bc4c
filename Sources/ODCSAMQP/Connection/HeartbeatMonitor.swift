import NIOCore

/// Decides, at each tick, whether to send a heartbeat or to give up on a silent broker.
///
/// Ticks come every half interval. Any frame counts as a sign of life in both directions (spec
/// section 4.2.7), so we only send a heartbeat when we wrote nothing for half an interval, and
/// declare the broker dead after two whole intervals without a frame from it, as RabbitMQ does.
struct HeartbeatMonitor: Sendable {
    enum Action: Equatable {
        case none
        case sendHeartbeat
        case timeOut
    }

    let interval: TimeAmount

    var tickInterval: TimeAmount { .nanoseconds(interval.nanoseconds / 2) }
    var deadAfter: TimeAmount { .nanoseconds(interval.nanoseconds * 2) }

    func action(now: NIODeadline, lastRead: NIODeadline, lastWrite: NIODeadline) -> Action {
        if now - lastRead >= deadAfter { return .timeOut }
        if now - lastWrite >= tickInterval { return .sendHeartbeat }
        return .none
    }
}
