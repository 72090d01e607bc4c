/// The backend's slice of the configuration (design §5–§6), as validated values; `Node`
/// turns it into each service's own `Configuration`. Every time is a `Duration`, whatever unit
/// its configuration key counts in (`_ms` keys in milliseconds, the others in seconds).
public struct BackendSettings: Sendable {
    public var numConcurrentPungi: Int
    public var pungiTimeout: Duration
    public var maxGenerating: Int
    public var pollInterval: Duration
    public var listenNotify: Bool
    public var leaseTimeout: Duration
    public var maxAttempts: Int
    public var retryBackoff: Duration
    public var rescueInterval: Duration
    public var drainTimeout: Duration
    public var expiryInterval: Duration
    public var orphanSweepInterval: Duration
    public var orphanMinAge: Duration
    public var trashGrace: Duration
    /// `cache_max_age`: see `CachePruner`; zero keeps the caches for good.
    public var cacheMaxAge: Duration
    /// `generation_nice`: see `GenerationPriority`.
    public var generationNice: Int
    public var minFreeSpace: Int
    public var minFreeSpaceMinAge: Duration
    public var minFreeSpaceInterval: Duration
    public var leaderCheckInterval: Duration
    public var repoSourceRoots: [String]
    public var kojiURL: String?
    public var kojiTopdir: String?
    public var kojiTopurl: String?
    public var kojiTimeout: Duration
    public var kojiMaxRetries: Int
    public var events: EventSettings
    public var testJournal: String?
    public var testWork: Duration
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
    public var retention: Duration
    public var batchSize: Int
    public var pollInterval: Duration
    public var retryBackoff: Duration
}
