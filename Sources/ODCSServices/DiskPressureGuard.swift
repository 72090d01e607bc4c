import Logging
import ODCSStore
import ODCSVolume

/// Leader duty: the seed runbook "not enough space on the shared volume", automated. Reports
/// the free space of the default target dir; with `minFreeBytes` set, removes the oldest done
/// composes (never one done less than `minimumAge` ago, never a raw_config compose) one at a
/// time until the free space is back above it, logging each one and why.
///
/// Metrics: `odcs_target_dir_free_bytes`, `odcs_disk_pressure_removed_total`.
public struct DiskPressureGuard: LeaderDuty {
    public struct Configuration: Sendable {
        public var interval: Duration = .seconds(30)
        /// 0 disables early removal (the free space is still reported).
        public var minFreeBytes: UInt64 = 0
        public var minimumAgeSeconds: Int = 3600
        public var targetDirectories: TargetDirectories

        public init(targetDirectories: TargetDirectories) {
            self.targetDirectories = targetDirectories
        }
    }

    public let name = "disk_pressure"
    let configuration: Configuration
    let sweeps: ComposeSweeps
    let metrics: ServiceMetrics
    let logger: Logger
    /// Reads the free space; replaceable in tests, which cannot fill a real disk.
    let freeBytes: @Sendable (VolumeLayout) throws -> UInt64

    public init(
        configuration: Configuration, sweeps: ComposeSweeps, metrics: ServiceMetrics, logger: Logger,
        freeBytes: @escaping @Sendable (VolumeLayout) throws -> UInt64 = { try $0.freeBytes() }
    ) {
        self.configuration = configuration
        self.sweeps = sweeps
        self.metrics = metrics
        self.logger = logger
        self.freeBytes = freeBytes
    }

    public func run(fence: LeaderFence) async throws {
        try await loop(every: configuration.interval, fence: fence, logger: logger) { fence in _ = try await runOnce(fence: fence) }
    }

    /// Measures, and removes composes while below the threshold; returns the removed ids.
    public func runOnce(fence: LeaderFence?) async throws -> [Int64] {
        let layout = VolumeLayout(targetDir: configuration.targetDirectories.defaultDir)
        guard layout.exists else { return [] }
        var free = try freeBytes(layout)
        metrics.freeBytes.record(Int64(clamping: free))
        guard configuration.minFreeBytes > 0 else { return [] }
        var removed: [Int64] = []
        while free < configuration.minFreeBytes {
            let note =
                "Removed early: the target dir had \(free) bytes free, below min_free_space (\(configuration.minFreeBytes) bytes)."
            let batch = try await sweeps.removeOldestDone(
                minAgeSeconds: configuration.minimumAgeSeconds, limit: 1, note: note, fence: fence,
                keep: { [directories = configuration.targetDirectories] in !directories.isDefault(stored: $0.targetDir) })
            guard let compose = batch.first else {
                logger.error(
                    "target dir below min_free_space and no compose old enough to remove",
                    metadata: ["free_bytes": "\(free)", "min_free_space": "\(configuration.minFreeBytes)"])
                break
            }
            ExpiryWorker.removeFiles(of: compose, directories: configuration.targetDirectories, logger: logger)
            metrics.diskPressureRemoved.increment()
            removed.append(compose.id)
            logger.warning(
                "removed a compose early for disk space",
                metadata: ["compose_id": "\(compose.id)", "free_bytes": "\(free)", "min_free_space": "\(configuration.minFreeBytes)"])
            free = try freeBytes(layout)
            metrics.freeBytes.record(Int64(clamping: free))
        }
        return removed
    }
}
