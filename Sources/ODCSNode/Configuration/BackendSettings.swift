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
    public var leaderCheckIntervalMilliseconds: Int
    public var repoSourceRoots: [String]
    public var kojiURL: String?
    public var kojiTopdir: String?
    public var kojiTopurl: String?
    public var kojiTimeout: Int
    public var kojiMaxRetries: Int
    public var testJournal: String?
    public var testWorkMilliseconds: Int
}
