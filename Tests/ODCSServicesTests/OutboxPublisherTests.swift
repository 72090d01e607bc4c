import Foundation
import ODCSCore
import ODCSServices
@_spi(Testing) import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// The publisher with the webhook backend against a real receiver and a real PostgreSQL.
@Suite struct OutboxPublisherTests {
    static let renderer = ComposeJSONRenderer(targetDirURL: "http://odcs.example/composes", defaultTargetDir: "/srv/odcs")
    static let secret = Array("s3cret".utf8)

    static func publisher(_ client: PostgresClientHolder, url: String, backoff: Duration = .zero) -> OutboxPublisher {
        var configuration = OutboxPublisher.Configuration()
        configuration.retryBackoff = backoff
        return OutboxPublisher(
            configuration: configuration, outbox: OutboxStore(client: client.client, logger: testLogger),
            backends: [WebhookBackend(configuration: .init(urls: [url], secret: secret))], renderer: renderer, connector: nil,
            logger: testLogger)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func deliversUpstreamsMessageSignedAndInOrder() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let receiver = WebhookReceiver()
            try await receiver.serving { url in
                let publisher = Self.publisher(PostgresClientHolder(client: client), url: url)
                let compose = try await factory.insert()
                _ = try await factory.queue.claim(node: "n1", limit: 1, deadlineSeconds: 60)
                try await factory.store.overwriteState(id: compose.id, state: .done, reason: "Compose is generated successfully")
                // One compose: one event per round, oldest first.
                while try await publisher.publishOnce() > 0 {}
                let deliveries = await receiver.deliveries
                #expect(deliveries.count == 3)
                var states: [String] = []
                for delivery in deliveries {
                    #expect(delivery.headers["x-odcs-signature-256"] == WebhookBackend.signature(of: delivery.body, secret: Self.secret))
                    #expect(delivery.headers["x-odcs-event"] == "state-changed")
                    #expect(delivery.headers["content-type"] == "application/json")
                    let message = try Self.json(delivery.body)
                    #expect(message["event"] as? String == "state-changed")
                    let body = try #require(message["compose"] as? [String: Any])
                    #expect(body["id"] as? Int == Int(compose.id))
                    #expect(body["pungi_config_dump"] == nil)
                    states.append(body["state_name"] as? String ?? "")
                }
                #expect(states == ["wait", "generating", "done"])
                let ids = deliveries.compactMap { $0.headers["x-odcs-event-id"].flatMap(Int64.init) }
                #expect(ids == ids.sorted() && Set(ids).count == 3)
            }
        }
    }

    @Test func aFailedDeliveryIsRetriedAndHoldsBackTheComposesLaterEvents() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: testLogger)
            let receiver = WebhookReceiver()
            try await receiver.serving { url in
                let publisher = Self.publisher(PostgresClientHolder(client: client), url: url)
                let compose = try await factory.insert()
                _ = try await factory.store.cancel(id: compose.id, reason: "Compose cancelled")
                await receiver.fail(next: 1)
                #expect(try await publisher.publishOnce() == 1)  // the wait event: HTTP 500
                #expect(await receiver.deliveries.isEmpty)
                #expect(try await outbox.backlog().count == 2)
                while try await publisher.publishOnce() > 0 {}
                let states = try await receiver.deliveries.map { try Self.json($0.body)["compose"] as? [String: Any] }
                    .map { $0?["state_name"] as? String }
                #expect(states == ["wait", "failed"])
                #expect(try await outbox.backlog().count == 0)
            }
        }
    }
}

/// Lets test closures capture the client without a Sendable warning on the generic helper.
struct PostgresClientHolder: Sendable {
    let client: PostgresClient
}

extension OutboxPublisherTests {
    /// Without a backend the events only feed the event stream: they count as published, so
    /// that the pruner can remove them after the retention.
    @Test func withoutBackendsEventsAreMarkedPublished() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let outbox = OutboxStore(client: client, logger: testLogger)
            let compose = try await factory.insert()
            _ = try await factory.store.cancel(id: compose.id, reason: "x")  // a second event of the same compose
            try await factory.insert()
            let publisher = OutboxPublisher(
                configuration: .init(), outbox: outbox, backends: [], renderer: Self.renderer, connector: nil, logger: testLogger)
            #expect(try await publisher.publishOnce() == 3)
            #expect(try await outbox.backlog().count == 0)
            #expect(try await publisher.publishOnce() == 0)
            // The event stream still has them all.
            #expect(try await outbox.events(after: 0).count == 3)
        }
    }
}
