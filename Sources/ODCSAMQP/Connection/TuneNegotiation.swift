/// How the client's and the broker's connection.tune values combine.
///
/// RabbitMQ's own clients use this rule for channel_max, frame_max and heartbeat alike: zero means
/// "no limit" (or "no preference"), so when one side says zero the other side's value wins, and
/// otherwise the smaller value wins.
enum TuneNegotiation {
    static func negotiate<T: FixedWidthInteger>(client: T, server: T) -> T {
        client == 0 || server == 0 ? max(client, server) : min(client, server)
    }

    static func negotiate(client: AMQPMethod.Tune, server: AMQPMethod.Tune) -> AMQPMethod.Tune {
        AMQPMethod.Tune(
            channelMax: negotiate(client: client.channelMax, server: server.channelMax),
            frameMax: negotiate(client: client.frameMax, server: server.frameMax),
            heartbeat: negotiate(client: client.heartbeat, server: server.heartbeat)
        )
    }
}
