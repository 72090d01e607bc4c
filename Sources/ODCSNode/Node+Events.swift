import Logging
import ODCSAPI
import ODCSServices
import ODCSStore
import PostgresNIO

extension Node {
    /// The node's one outbox reader for its event streams, woken by LISTEN odcs_outbox
    /// unless `listen_notify` is off (poll only).
    func makeEventHub(client: PostgresClient, connector: DatabaseConnector) -> EventHub {
        let logger = logger
        var listen: EventHub.Listen? = nil
        if configuration.backend.listenNotify {
            listen = { @Sendable notified in
                await connector.listen(channel: .outbox, logger: logger, notified: notified)
            }
        }
        return EventHub(
            configuration: configuration.eventStreams, outbox: OutboxStore(client: client, logger: logger),
            renderer: configuration.renderer, listen: listen, logger: logger)
    }
}
