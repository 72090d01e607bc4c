/// The backend's slice of the configuration (design §5–§6), as validated values; `Node`
/// turns it into each service's own `Configuration`.
public struct BackendSettings: Sendable {
    public var numConcurrentPungi: Int
    public var pungiTimeout: Int
    public var maxGenerating: Int
    public var pollIntervalMilliseconds: Int
    public var listenNotify: Bool
    public var leaseTimeout: Int
    public var maxAttempts: Int
    public var retryBackoff: Int
    public var rescueIntervalMilliseconds: Int
    public var drainTimeout: Int
    public var expiryIntervalMilliseconds: Int
    public var orphanSweepInterval: Int
    public var orphanMinAge: Int
    public var minFreeSpace: Int
    public var minFreeSpaceMinAge: Int
    public var minFreeSpaceInterval: Int
    public var leaderCheckIntervalMilliseconds: Int
    public var repoSourceRoots: [String]
    public var kojiURL: String?
    public var kojiTopdir: String?
    public var kojiTopurl: String?
    public var kojiTimeout: Int
    public var kojiMaxRetries: Int
    public var events: EventSettings
    public var testJournal: String?
    public var testWorkMilliseconds: Int
}

/// Where compose events go (docs/events.md).
public struct EventSettings: Sendable {
    public var amqp: Bool
    public var webhook: Bool
    public var brokerURLs: [String]
    public var caCert: String?
    public var certFile: String?
    public var keyFile: String?
    /// The routing key: `messaging_topic_prefix.messaging_topic`.
    public var topic: String
    public var exchange: String
    public var webhookURLs: [String]
    public var webhookSecret: [UInt8]?
    public var retention: Int
    public var batchSize: Int
    public var pollIntervalMilliseconds: Int
    public var retryBackoff: Int
}
