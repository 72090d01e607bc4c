import Foundation
import Logging
import ODCSStore
import ODCSVolume
import SystemPackage

/// Leader duty: removes what the shared volume holds but the database no longer owns —
/// `odcs-<id>` (and older layouts' `latest-odcs-<id>-…`) directories whose compose is
/// removed or unknown, staging directories of attempts no lease holds any more, and what a
/// dying node left in `.trash/`. Entries younger than `minimumAge` are left alone, so that
/// nothing racing with a publish is touched. It also prunes `.cache/` of files no compose used
/// for `cacheMaxAge`.
///
/// Metrics: `odcs_orphans_removed_total`, `odcs_cache_pruned_files_total`,
/// `odcs_cache_pruned_bytes_total`.
public struct OrphanSweeper: LeaderDuty {
    public struct Configuration: Sendable {
        public var interval: Duration = .seconds(600)
        public var minimumAge: Duration = .seconds(600)
        /// Files of `.cache/` unused for this long are removed (`CachePruner`); zero keeps them.
        public var cacheMaxAge: Duration = .seconds(604_800)
        public var targetDirectories: TargetDirectories

        public init(targetDirectories: TargetDirectories) {
            self.targetDirectories = targetDirectories
        }
    }

    public let name = "orphan_sweep"
    let configuration: Configuration
    let sweeps: ComposeSweeps
    let metrics: ServiceMetrics
    let logger: Logger

    public init(configuration: Configuration, sweeps: ComposeSweeps, metrics: ServiceMetrics, logger: Logger) {
        self.configuration = configuration
        self.sweeps = sweeps
        self.metrics = metrics
        self.logger = logger
    }

    public func run(fence: LeaderFence) async throws {
        try await loop(every: configuration.interval, fence: fence, logger: logger) { fence in _ = try await runOnce(fence: fence) }
    }

    /// One sweep over every target dir; returns the paths it removed.
    public func runOnce(fence: LeaderFence?) async throws -> [String] {
        if let fence { try await sweeps.checkFence(fence) }
        // Not the cluster's volume: every compose would look like an orphan, or none would.
        guard configuration.targetDirectories.trust.isTrusted else { return [] }
        var removed: [String] = []
        let directories = configuration.targetDirectories
        for layout in directories.all where (try? await BlockingIO.lookup.run({ layout.exists })) == true {
            removed += try await sweepTopLevel(layout)
            removed += try await sweepStaging(layout)
            await TrashCollector(grace: directories.trashGrace, metrics: metrics, logger: logger).empty([layout])
            await pruneCache(layout)
        }
        for path in removed {
            metrics.orphansRemoved.increment()
            logger.info("removed orphan", metadata: ["path": "\(path)"])
        }
        return removed
    }

    func sweepTopLevel(_ layout: VolumeLayout) async throws -> [String] {
        let entries = await oldEntries(in: layout.targetDir).compactMap { name in
            VolumeLayout.composeID(fromEntry: name).map { (name: name, id: $0) }
        }
        guard !entries.isEmpty else { return [] }
        let live = try await sweeps.liveComposes(ids: entries.map(\.id))
        var removed: [String] = []
        // Upstream's order: the latest-odcs-* links first, then the directories.
        for entry in entries.sorted(by: {
            ($0.name.hasPrefix("latest-") ? 0 : 1, $0.name) < ($1.name.hasPrefix("latest-") ? 0 : 1, $1.name)
        })
        where live[entry.id] == nil {
            // Links (planted, or an older layout's) are unlinked, never followed.
            guard let path = try? layout.entry(entry.name) else { continue }
            do {
                let published = entry.name == "odcs-\(entry.id)"
                try await BlockingIO.bulk.run {
                    if published {
                        try layout.removePublished(id: entry.id)
                    } else {
                        try layout.removeEntry(path)
                    }
                }
                removed.append(path.string)
            } catch {
                warn(path.string, error)
            }
        }
        return removed
    }

    func sweepStaging(_ layout: VolumeLayout) async throws -> [String] {
        let entries = await oldEntries(in: layout.stagingRoot).compactMap { name -> (name: String, id: Int64, attempt: Int)? in
            guard let id = VolumeLayout.composeID(fromEntry: name), let attempt = VolumeLayout.stagingAttempt(fromEntry: name) else {
                return nil
            }
            return (name, id, attempt)
        }
        guard !entries.isEmpty else { return [] }
        let live = try await sweeps.liveComposes(ids: entries.map(\.id))
        var removed: [String] = []
        for entry in entries {
            if let row = live[entry.id], row.state == .generating, row.attempt == entry.attempt { continue }
            guard let path = try? layout.stagingEntry(entry.name) else { continue }
            do {
                try await BlockingIO.bulk.run { try layout.removeEntry(path) }
                removed.append(path.string)
            } catch {
                warn(path.string, error)
            }
        }
        return removed
    }

    /// Removes what no compose used for `cacheMaxAge` from the layout's `.cache/`.
    func pruneCache(_ layout: VolumeLayout) async {
        let maxAge = Int(configuration.cacheMaxAge.components.seconds)
        guard maxAge > 0 else { return }
        do {
            let outcome = try await BlockingIO.bulk.run { try CachePruner.prune(layout.cacheRoot, maxAge: maxAge) }
            guard outcome.files > 0 else { return }
            metrics.cacheFilesPruned.increment(by: outcome.files)
            metrics.cacheBytesPruned.increment(by: Int(clamping: outcome.bytes))
            logger.info(
                "pruned the cache", metadata: ["path": "\(layout.cacheRoot)", "files": "\(outcome.files)", "bytes": "\(outcome.bytes)"])
        } catch {
            logger.warning("cannot prune the cache", metadata: ["path": "\(layout.cacheRoot)", "error": "\(error)"])
        }
    }

    /// Entries of `directory` last modified before the minimum age (read on BlockingIO's threads).
    func oldEntries(in directory: FilePath) async -> [String] {
        let cutoff = Date().addingTimeInterval(-Double(configuration.minimumAge.components.seconds))
        return
            (try? await BlockingIO.bulk.run {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.string)) ?? []
                return names.filter { name in
                    let path = directory.appending(name).string
                    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                        let modified = attributes[.modificationDate] as? Date
                    else { return false }
                    return modified < cutoff
                }
            }) ?? []
    }

    func warn(_ path: String, _ error: any Error) {
        logger.warning("cannot remove orphan", metadata: ["path": "\(path)", "error": "\(error)"])
    }
}
