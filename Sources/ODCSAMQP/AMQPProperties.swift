#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The basic-class content properties of a message: what fedora-messaging calls the message's
/// AMQP properties.
///
/// A fedora-messaging publisher sets `contentType` "application/json", `contentEncoding` "utf-8",
/// a UUID `messageID`, `deliveryMode` ``DeliveryMode/persistent``, and the headers
/// `fedora_messaging_schema`, `fedora_messaging_severity` and `sent-at`.
public struct AMQPProperties: Sendable, Hashable {
    /// Whether the broker writes the message to disk (for durable queues).
    public enum DeliveryMode: UInt8, Sendable, Hashable {
        case transient = 1
        case persistent = 2
    }

    public var contentType: String?
    public var contentEncoding: String?
    public var headers: AMQPTable?
    /// Kept as the raw octet so that a value other than 1 or 2 from another client round-trips.
    public var deliveryModeRaw: UInt8?
    public var priority: UInt8?
    public var correlationID: String?
    public var replyTo: String?
    /// A per-message TTL in milliseconds, as a decimal string.
    public var expiration: String?
    public var messageID: String?
    /// Seconds since 1970 on the wire; sub-second precision is dropped.
    public var timestamp: Date?
    public var type: String?
    /// RabbitMQ rejects a message whose user ID is not the connection's user.
    public var userID: String?
    public var appID: String?

    public init(
        contentType: String? = nil,
        contentEncoding: String? = nil,
        headers: AMQPTable? = nil,
        deliveryMode: DeliveryMode? = nil,
        priority: UInt8? = nil,
        correlationID: String? = nil,
        replyTo: String? = nil,
        expiration: String? = nil,
        messageID: String? = nil,
        timestamp: Date? = nil,
        type: String? = nil,
        userID: String? = nil,
        appID: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryModeRaw = deliveryMode?.rawValue
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageID = messageID
        self.timestamp = timestamp
        self.type = type
        self.userID = userID
        self.appID = appID
    }

    /// The delivery mode, or nil when unset or not one of the two defined values.
    public var deliveryMode: DeliveryMode? {
        get { deliveryModeRaw.flatMap(DeliveryMode.init(rawValue:)) }
        set { deliveryModeRaw = newValue?.rawValue }
    }
}
