import Foundation
import Logging
import ODCSStore
import ODCSVolume
import ServiceLifecycle

/// Removes expired composes, on every node (design §6): takes a batch of expired done or
/// failed composes with `SKIP LOCKED`, marks them `removed` (out of the reuse index in the
/// same transaction), then deletes their directories through a rename into `.trash/`.
/// Idempotent: a node dying between the two phases leaves a directory the orphan sweep
/// removes. Upstream's rules kept: a reusing compose owns no files; the newest compose of a
/// raw_config line stays; a compose whose target dir this node does not mount is skipped.
///
/// Metrics: `odcs_expiry_removed_total`.
public struct ExpiryWorker: Service {
    public struct Configuration: Sendable {
        public var interval: Duration = .seconds(30)
        public var batchSize: Int = 100
        public var targetDirectories: TargetDirectories

        public init(targetDirectories: TargetDirectories) {
            self.targetDirectories = targetDirectories
        }
    }

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

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await PeriodicTask.run(every: configuration.interval, name: "expiry", logger: logger) { _ = try await runOnce() }
        }
    }

    /// Removes expired composes batch after batch until a short batch; returns their ids.
    public func runOnce() async throws -> [Int64] {
        let directories = configuration.targetDirectories
        // Not the cluster's volume: removing nothing is safer than removing rows whose files
        // this node cannot see (VolumeIdentityCheck logs why).
        guard directories.trust.isTrusted else { return [] }
        var removedIDs: [Int64] = []
        while true {
            let (removed, kept) = try await sweeps.removeExpired(limit: configuration.batchSize) { compose in
                // It looks at the volume: on BlockingIO's threads (kept when that fails).
                (try? await BlockingIO.lookup.run { Self.mustKeep(compose, directories: directories) }) ?? true
            }
            for compose in removed {
                metrics.expired.increment()
                await Self.removeFiles(of: compose, directories: directories, logger: logger)
                logger.info("removed expired compose", metadata: ["compose_id": "\(compose.id)"])
            }
            removedIDs += removed.map(\.id)
            if removed.count + kept < configuration.batchSize || removed.isEmpty {
                // (A full batch of kept composes: nothing more to do now.)
                await TrashCollector(grace: directories.trashGrace, metrics: metrics, logger: logger).empty(directories.all)
                return removedIDs
            }
        }
    }

    static func layout(of compose: RemovableCompose, directories: TargetDirectories) -> VolumeLayout? {
        directories.layout(stored: compose.targetDir)
    }

    static func mustKeep(_ compose: RemovableCompose, directories: TargetDirectories) -> Bool {
        guard let layout = layout(of: compose, directories: directories), layout.exists else { return true }
        if compose.isRawConfig, let type = compose.composeType, let id = compose.pungiComposeID {
            return layout.isNewestOfRawConfigLine(composeType: type, pungiComposeID: id)
        }
        return false
    }

    /// Phase 2: the files. A reusing compose owns none. Errors are logged, never raised:
    /// the orphan sweep retries what is left.
    /// The removal runs on BlockingIO's threads.
    static func removeFiles(of compose: RemovableCompose, directories: TargetDirectories, logger: Logger) async {
        guard compose.reusedID == nil, let layout = layout(of: compose, directories: directories) else { return }
        do {
            let removed = try await BlockingIO.bulk.run {
                if let type = compose.composeType, compose.isRawConfig { layout.removeRawConfigLinks(id: compose.id, composeType: type) }
                return try layout.removePublished(id: compose.id)
            }
            if !removed {
                logger.debug("expired compose had no directory", metadata: ["compose_id": "\(compose.id)"])
            }
        } catch {
            logger.warning(
                "cannot remove the directory of a removed compose", metadata: ["compose_id": "\(compose.id)", "error": "\(error)"])
        }
    }
}
