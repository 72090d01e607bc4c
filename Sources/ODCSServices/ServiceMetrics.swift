import Metrics
import ODCSCore

/// The metrics of the backend services (names after River and Oban, prefixed `odcs_`).
/// Created once per node; swift-metrics hands them to the node's Prometheus registry.
public struct ServiceMetrics: Sendable {
    public let claims = Counter(label: "odcs_claims_total")
    public let claimLatency = Timer(label: "odcs_claim_latency_seconds", preferredDisplayUnit: .seconds)
    public let claimQuery = Timer(label: "odcs_claim_query_seconds", preferredDisplayUnit: .seconds)
    public let leaseLosses = Counter(label: "odcs_lease_lost_total")
    public let reuseHits = Counter(label: "odcs_reuse_hits_total")
    public let released = Counter(label: "odcs_leases_released_total")
    public let rescuedHeartbeat = Counter(label: "odcs_rescued_total", dimensions: [("reason", "heartbeat")])
    public let rescuedDeadline = Counter(label: "odcs_rescued_total", dimensions: [("reason", "deadline")])
    public let leaderChanges = Counter(label: "odcs_leader_elections_total")
    public let expired = Counter(label: "odcs_expiry_removed_total")
    public let expiryLag = Gauge(label: "odcs_expiry_lag_seconds")
    public let orphansRemoved = Counter(label: "odcs_orphans_removed_total")
    /// Files and bytes the orphan sweep removed from `.cache/` (unused for `cache_max_age`).
    public let cacheFilesPruned = Counter(label: "odcs_cache_pruned_files_total")
    public let cacheBytesPruned = Counter(label: "odcs_cache_pruned_bytes_total")
    public let diskPressureRemoved = Counter(label: "odcs_disk_pressure_removed_total")
    /// Composes failed before placing their packages because their volume had no room.
    public let spaceRefused = Counter(label: "odcs_space_refused_total")
    public let activeGenerations = Gauge(label: "odcs_generating")
    /// Trash entries deleted, and of those, deleted before their grace period ended (disk pressure).
    public let trashRemoved = Counter(label: "odcs_trash_removed_total")
    public let trashForced = Counter(label: "odcs_trash_forced_total")
    /// Deletions put off because a reader still holds a file open (NFS silly-renamed files).
    public let trashBusy = Counter(label: "odcs_trash_busy_total")
    /// Deletions that failed for another reason (logged with it).
    public let trashFailed = Counter(label: "odcs_trash_failed_total")
    /// Entries left in the trash after the last pass on this node: waiting, busy or failed.
    public let trashEntries = Gauge(label: "odcs_trash_entries")

    public init() {}

    public func generationTime(sourceType: String, outcome: String) -> Timer {
        Timer(
            label: "odcs_generation_seconds", dimensions: [("source_type", sourceType), ("outcome", outcome)],
            preferredDisplayUnit: .seconds)
    }

    /// Passing database faults retried (`DatabaseRetry`): by operation and kind of fault.
    public func databaseRetries(operation: String, kind: String) -> Counter {
        Counter(label: "odcs_db_retries_total", dimensions: [("operation", operation), ("kind", kind)])
    }

    public func leader(duty: String) -> Gauge { Gauge(label: "odcs_leader", dimensions: [("duty", duty)]) }

    public func clusterComposes(state: String) -> Gauge { Gauge(label: "odcs_cluster_composes", dimensions: [("state", state)]) }

    /// Free bytes on the volume of a target dir (`default` or its `extra_target_dirs` key).
    public func freeBytes(targetDir: String) -> Gauge {
        Gauge(label: "odcs_target_dir_free_bytes", dimensions: [("target_dir", targetDir)])
    }

    public let clusterNodes = Gauge(label: "odcs_cluster_nodes")
    public let deadTuples = Gauge(label: "odcs_pg_dead_tuples")
}
