/// Every advisory lock the service takes in PostgreSQL's two-key space: the first key is
/// `namespace` (3525, "ODCS"), the second the lock's `key`. Append only: a key is a lock's
/// identity for every node of every version in the cluster, and no two locks in `all` may
/// share one (a test checks), which is what keeps the cluster cap's transaction lock apart
/// from the duties' session locks (once both were (3525, 1), and a node with
/// `max_generating` set never claimed while it led lease rescue).
///
/// The other locks use the one-key (bigint) space, which PostgreSQL keeps apart from this
/// one (`pg_locks.objsubid` 1 against 2): the migration lock (`MigrationSQL`, per schema) and
/// the reuse-key locks (`ComposeQueueSQL.advisoryLockReuseKey`, a hash of the key).
public struct AdvisoryLock: Hashable, Sendable, CustomStringConvertible {
    public let key: Int32
    public let name: String

    init(_ key: Int32, _ name: String) {
        self.key = key
        self.name = name
    }

    public var description: String { "\(name) (\(Self.namespace), \(key))" }

    // Leader-only duties: the leader holds its session lock for as long as it leads.
    public static let leaseRescue = AdvisoryLock(1, "lease_rescue")
    public static let periodicRules = AdvisoryLock(2, "periodic_rules")
    public static let orphanSweep = AdvisoryLock(3, "orphan_sweep")
    public static let clusterGauges = AdvisoryLock(4, "cluster_gauges")
    public static let diskPressure = AdvisoryLock(5, "disk_pressure")
    public static let outboxPruner = AdvisoryLock(6, "outbox_pruner")
    /// The cluster cap on generating composes (`max_generating`): each capped claim's
    /// transaction lock.
    public static let claimCap = AdvisoryLock(100, "claim_cap")

    /// The first key of every lock here.
    public static let namespace: Int32 = 3525

    /// Every lock of the service.
    public static let all: [AdvisoryLock] = [
        .leaseRescue, .periodicRules, .orphanSweep, .clusterGauges, .diskPressure, .outboxPruner, .claimCap,
    ]

    /// The duties a node elects a leader for.
    public static let duties: [AdvisoryLock] = [.leaseRescue, .periodicRules, .orphanSweep, .clusterGauges, .diskPressure, .outboxPruner]

    /// The first key a test may use for a lock of its own (`testing(key:)`).
    public static let firstTestingKey: Int32 = 1000

    /// A lock no production code takes, so that tests running side by side in one database
    /// can each elect on a key of their own.
    @_spi(Testing)
    public static func testing(key: Int32, name: String = "test") -> AdvisoryLock {
        precondition(key >= firstTestingKey, "testing locks start at \(firstTestingKey)")
        return AdvisoryLock(key, name)
    }
}
