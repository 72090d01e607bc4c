import Foundation
import Logging
import ODCSGenerator
import ODCSStore
import ODCSVolume
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps `min_free_space` free on each volume that holds target dirs, for the disk pressure
/// duty (every interval) and for a compose about to place its packages (`ComposeSpace`):
/// removes the oldest done composes of that volume's target dirs, one at a time, until the
/// free space is back above the minimum (plus what the caller is about to write).
///
/// A volume is a filesystem: target dirs on one (the same `st_dev`) are measured once and
/// share their candidates; an extra target dir on a volume of its own is measured, and
/// relieved, apart from the default's. Which target dir a compose belongs to comes from its
/// stored `target_dir`, whatever form it has (NULL or the path, trailing slash or not).
public struct VolumeRoom: Sendable {
    public struct Configuration: Sendable {
        /// 0 disables early removal (the free space is still measured and checked).
        public var minFreeBytes: UInt64 = 0
        public var minimumAge: Duration = .seconds(3600)
        public var targetDirectories: TargetDirectories

        public init(targetDirectories: TargetDirectories) {
            self.targetDirectories = targetDirectories
        }
    }

    /// The target dirs on one filesystem; `names` are the configuration's (`default`, or the
    /// key in `extra_target_dirs`), for logs and the free-space gauge's label.
    public struct Volume: Sendable, Equatable {
        public var device: UInt64
        public var layouts: [VolumeLayout]
        public var names: [String]
        var includesDefault: Bool

        public var label: String { names.joined(separator: ",") }
    }

    /// What `makeRoom` did: the free bytes it measured last and the composes it removed.
    public struct Relief: Sendable, Equatable {
        public var freeBytes: UInt64
        public var removed: [Int64]
        /// True when the free space reached what was asked.
        public var enough: Bool
    }

    public let configuration: Configuration
    let sweeps: ComposeSweeps
    let metrics: ServiceMetrics
    let logger: Logger
    /// Reads the free space (statvfs of the volume's first target dir).
    let freeBytes: @Sendable (VolumeLayout) throws -> UInt64
    /// Bytes promised to this node's composes that passed the check and are still placing files.
    let reservations = SpaceReservations()

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

    /// The volumes of the configured target dirs that exist, the default's first.
    public func volumes() async -> [Volume] {
        let directories = configuration.targetDirectories
        var named: [(String, VolumeLayout)] = [("default", VolumeLayout(targetDir: directories.defaultDir))]
        named += directories.extra.sorted { $0.key < $1.key }.map { ($0.key, VolumeLayout(targetDir: $0.value)) }
        var volumes: [Volume] = []
        for (name, layout) in named {
            guard let device = await Self.device(of: layout.targetDir) else { continue }
            if let index = volumes.firstIndex(where: { $0.device == device }) {
                if !volumes[index].layouts.contains(layout) {
                    volumes[index].layouts.append(layout)
                    volumes[index].names.append(name)
                }
            } else {
                volumes.append(Volume(device: device, layouts: [layout], names: [name], includesDefault: name == "default"))
            }
        }
        return volumes
    }

    /// The volume that holds `layout` (nil when its target dir does not exist).
    public func volume(of layout: VolumeLayout) async -> Volume? {
        guard let device = await Self.device(of: layout.targetDir) else { return nil }
        return await volumes().first { $0.device == device }
    }

    /// Measures the volume, records its gauge, and removes the oldest done composes of its
    /// target dirs while the free space is below `min_free_space` + `extraBytes` (and early
    /// removal is on). `note` says why, given the free space measured before that removal.
    public func makeRoom(
        on volume: Volume, extraBytes: UInt64 = 0, fence: LeaderFence?, note: @Sendable (UInt64) -> String
    ) async throws -> Relief {
        let wanted = configuration.minFreeBytes.addingReportingOverflow(extraBytes).partialValue
        var free = try await measure(volume)
        var removed: [Int64] = []
        let trash = TrashCollector(grace: configuration.targetDirectories.trashGrace, metrics: metrics, logger: logger)
        // What the trash holds is the first thing to go: removed composes no one owns any more.
        if free < wanted, configuration.minFreeBytes > 0, configuration.targetDirectories.trust.isTrusted {
            let passes = await trash.empty(volume.layouts, force: true)
            if passes.contains(where: { !$0.removed.isEmpty }) { free = try await measure(volume) }
        }
        let paths = volume.layouts.map(\.targetDir.string)
        // Nothing is removed from a dir that is not the cluster's volume (VolumeIdentityCheck).
        while free < wanted, configuration.minFreeBytes > 0, configuration.targetDirectories.trust.isTrusted {
            let batch = try await sweeps.removeOldestDone(
                minAgeSeconds: configuration.minimumAge.wholeSeconds, targetDirs: paths, includeNull: volume.includesDefault, limit: 1,
                note: note(free), fence: fence)
            guard let compose = batch.first else { break }
            await ExpiryWorker.removeFiles(of: compose, directories: configuration.targetDirectories, logger: logger)
            await trash.empty(volume.layouts, force: true)
            metrics.diskPressureRemoved.increment()
            removed.append(compose.id)
            logger.warning(
                "removed a compose early for disk space",
                metadata: [
                    "compose_id": "\(compose.id)", "target_dir": "\(volume.label)", "free_bytes": "\(free)",
                    "min_free_space": "\(configuration.minFreeBytes)", "needed_bytes": "\(extraBytes)",
                ])
            free = try await measure(volume)
        }
        return Relief(freeBytes: free, removed: removed, enough: free >= wanted)
    }

    func measure(_ volume: Volume) async throws -> UInt64 {
        let layout = volume.layouts[0]
        let free = try await BlockingIO.lookup.run { [freeBytes] in try freeBytes(layout) }
        for name in volume.names { metrics.freeBytes(targetDir: name).record(Int64(clamping: free)) }
        return free
    }

    /// The device of a target dir (nil when it is not a directory), stat(2) on BlockingIO's threads.
    static func device(of path: FilePath) async -> UInt64? {
        try? await BlockingIO.lookup.run {
            var status = stat()
            guard stat(path.string, &status) == 0, (status.st_mode & 0o170000) == 0o040000 else { return nil }
            return UInt64(status.st_dev)
        }
    }
}

/// Bytes reserved per compose on each volume (by device) by this node's generations that
/// passed the space check; counted against the free space of the next check, so that two
/// composes checked at once do not both count on the same free bytes.
actor SpaceReservations {
    private var byCompose: [Int64: (device: UInt64, bytes: UInt64)] = [:]

    func reserved(on device: UInt64, except id: Int64) -> UInt64 {
        byCompose.filter { $0.key != id && $0.value.device == device }.values.reduce(0) { $0 + $1.bytes }
    }

    func add(_ bytes: UInt64, on device: UInt64, for id: Int64) {
        byCompose[id, default: (device, 0)].bytes += bytes
    }

    func release(_ id: Int64) { byCompose[id] = nil }
}
