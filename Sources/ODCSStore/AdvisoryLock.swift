/// Every advisory lock the service takes in PostgreSQL's two-key space: the first key is
/// `namespace` (3525, "ODCS"), the second the case's raw value. Append only: a value is a
/// lock's identity for every node of every version in the cluster. Two cases cannot share a
/// value (the compiler refuses duplicate raw values), which is what keeps the cluster cap's
/// transaction lock apart from the duties' session locks (once both were (3525, 1), and a
/// node with `max_generating` set never claimed while it led lease rescue).
///
/// The other locks use the one-key (bigint) space, which PostgreSQL keeps apart from this
/// one (`pg_locks.objsubid` 1 against 2): the migration lock (`MigrationSQL`, per schema) and
/// the reuse-key locks (`ComposeQueueSQL.reuseKeyLock`, a hash of the key).
public enum AdvisoryLock: Int32, CaseIterable, Sendable {
    // Leader-only duties: the leader holds its session lock for as long as it leads.
    case leaseRescue = 1
    case periodicRules = 2
    case orphanSweep = 3
    case clusterGauges = 4
    case diskPressure = 5
    case outboxPruner = 6
    /// The cluster cap on generating composes (`max_generating`): each capped claim's
    /// transaction lock.
    case claimCap = 100

    /// The first key of every lock here.
    public static let namespace: Int32 = 3525

    /// The duties a node elects a leader for.
    public static let duties: [AdvisoryLock] = [.leaseRescue, .periodicRules, .orphanSweep, .clusterGauges, .diskPressure, .outboxPruner]
}
