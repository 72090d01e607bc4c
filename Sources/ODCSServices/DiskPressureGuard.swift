import Logging
import ODCSStore
import ODCSVolume

/// Leader duty: the seed runbook "not enough space on the shared volume", automated. Reports
/// the free space of every volume that holds a target dir (the default's, and each extra
/// target dir's when it is on a volume of its own); with `min_free_space` set, removes the
/// oldest done composes of that volume (never one done less than `min_free_space_min_age`
/// ago, never a raw_config compose) one at a time until its free space is back above it,
/// logging each one and why (`VolumeRoom`).
///
/// Metrics: `odcs_target_dir_free_bytes{target_dir}`, `odcs_disk_pressure_removed_total`.
public struct DiskPressureGuard: LeaderDuty {
    public struct Configuration: Sendable {
        public var interval: Duration = .seconds(30)

        public init() {}
    }

    public let name = "disk_pressure"
    let configuration: Configuration
    let room: VolumeRoom
    let logger: Logger

    public init(configuration: Configuration, room: VolumeRoom, logger: Logger) {
        self.configuration = configuration
        self.room = room
        self.logger = logger
    }

    public func run(fence: LeaderFence) async throws {
        try await loop(every: configuration.interval, fence: fence, logger: logger) { fence in _ = try await runOnce(fence: fence) }
    }

    /// Measures each volume, and removes composes from those below the threshold; returns the
    /// removed ids.
    public func runOnce(fence: LeaderFence?) async throws -> [Int64] {
        var removed: [Int64] = []
        let minimum = room.configuration.minFreeBytes
        for volume in await room.volumes() {
            let relief = try await room.makeRoom(on: volume, fence: fence) { free in
                "Removed early: the target dir had \(free) bytes free, below min_free_space (\(minimum) bytes)."
            }
            removed += relief.removed
            if !relief.enough {
                logger.error(
                    "target dir below min_free_space and no compose old enough to remove",
                    metadata: ["target_dir": "\(volume.label)", "free_bytes": "\(relief.freeBytes)", "min_free_space": "\(minimum)"])
            }
        }
        return removed
    }
}
