import Foundation
import ODCSCore
import ODCSStore

/// One compose event as every backend sends it: upstream's message (reference §11),
/// `{"event": "state-changed", "compose": <the compose JSON without pungi_config_dump>}`.
public struct EventMessage: Sendable, Equatable {
    /// The outbox id: unique, increasing; backends use it as the message id.
    public var id: Int64
    public var composeID: Int64
    /// The compose's state name after the change (`wait`, `generating`, `done`...).
    public var state: String
    public var body: String
    public var createdAt: Date

    public init(id: Int64, composeID: Int64, state: String, body: String, createdAt: Date) {
        self.id = id
        self.composeID = composeID
        self.state = state
        self.body = body
        self.createdAt = createdAt
    }

    public init(_ event: OutboxEvent, renderer: ComposeJSONRenderer) {
        self.init(
            id: event.id, composeID: event.compose.id, state: event.compose.state.name,
            body: renderer.stateChangedMessage(event.compose), createdAt: event.createdAt)
    }
}

/// Where events go. A backend confirms each message (the broker acknowledged it, the webhook
/// answered 2xx) or reports why not; the publisher retries what was not confirmed. Delivery
/// is at least once: a backend may see a message again after a failure or a crash.
public protocol EventBackend: Sendable {
    /// Recorded in the outbox row's `delivered` list, so it must be stable: `amqp`, `webhook`.
    var name: String { get }
    /// One result per message, in order; nil means confirmed.
    func deliver(_ messages: [EventMessage]) async -> [String?]
}
