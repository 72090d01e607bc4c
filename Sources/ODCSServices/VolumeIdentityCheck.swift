import Foundation
import Logging
import Metrics
import ODCSCore
import ODCSStore
import ODCSVolume
import ServiceLifecycle

/// Checks that every target dir of this node is the cluster's volume, at start and every
/// `interval`, and records the answer in a `VolumeTrust` that the worker, expiry, the orphan
/// sweep, disk pressure and `/readyz` ask before they touch the volume.
///
/// Each target dir (`default`, and each `extra_target_dirs` name) has an id: the first node
/// to start writes it into the dir's marker file (`.odcs-volume-id`, with `O_EXCL`) and then
/// into `volumes`; the marker is written first, so that a node that dies between the two
/// leaves a marker the next node registers, never a registered id no marker holds. Every
/// other node compares. A dir without the marker, or with another id, is not trusted.
///
/// The first node of a new cluster defines the volume: a node started on the wrong directory
/// before any node ever ran on the right one registers its own id, and the right ones are
/// then refused (docs/operations.md says how to reset it).
///
/// Metric: `odcs_volume_trusted` (1 when every target dir is the cluster's volume).
public struct VolumeIdentityCheck: Service {
    public struct Configuration: Sendable {
        public var targetDirectories: TargetDirectories
        public var interval: Duration = .seconds(30)

        public init(targetDirectories: TargetDirectories) {
            self.targetDirectories = targetDirectories
        }
    }

    let configuration: Configuration
    let registry: VolumeRegistry
    let trust: VolumeTrust
    let logger: Logger

    public init(configuration: Configuration, registry: VolumeRegistry, trust: VolumeTrust, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.trust = trust
        self.logger = logger
    }

    /// Checks every `interval` until the node starts shutting down (the wait between checks
    /// ends at once then, as every periodic service's does).
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await PeriodicTask.run(every: configuration.interval, name: "volume identity check", logger: logger) {
                await checkOnce()
            }
        }
    }

    /// The target dirs by the names `volumes` knows them by.
    var named: [(name: String, layout: VolumeLayout)] {
        let directories = configuration.targetDirectories
        return [("default", VolumeLayout(targetDir: directories.defaultDir))]
            + directories.extra.sorted { $0.key < $1.key }.map { ($0.key, VolumeLayout(targetDir: $0.value)) }
    }

    /// One check of every target dir; returns why the volume is not trusted, or nil.
    @discardableResult
    public func checkOnce() async -> String? {
        var reason: String? = nil
        for (name, layout) in named {
            do {
                if let problem = try await check(name: name, layout: layout) {
                    reason = problem
                    break
                }
            } catch let error as VolumeLayout.FileError {
                reason = "target dir \(name) (\(layout.targetDir)) could not be checked: \(error)"
                break
            } catch {
                // The database did not answer: the volume has not changed for that, so the
                // last verdict stands until a check can run (a restart of PostgreSQL must not
                // stop the node's work for a check interval).
                logger.warning(
                    "volume identity not checked: the database did not answer",
                    metadata: ["target_dir": "\(name)", "error": "\(String(reflecting: error))"])
                return trust.reason
            }
        }
        let previous = trust.update(untrustedBecause: reason)
        Gauge(label: "odcs_volume_trusted").record(reason == nil ? 1 : 0)
        if let reason, reason != previous {
            logger.error(
                "the target dir is not the cluster's volume: this node claims, expires and sweeps nothing",
                metadata: ["reason": "\(reason)"])
        } else if reason == nil, let previous {
            logger.info("the target dirs are the cluster's volume", metadata: ["was": "\(previous)"])
        }
        return reason
    }

    func check(name: String, layout: VolumeLayout) async throws -> String? {
        let registered = try await registry.volumeID(name: name)
        var marker = try await BlockingIO.lookup.run { try layout.readVolumeMarker() }
        if registered == nil {
            // No node has registered this dir yet: this node is first (or races another first
            // node; O_EXCL and ON CONFLICT make both end with one id).
            if marker == nil {
                let made = UUID().uuidString.lowercased()
                marker = try await BlockingIO.lookup.run { try layout.createVolumeMarker(made) }
            }
            guard let marker else { return nil }
            let winner = try await registry.register(name: name, volumeID: marker)
            if winner == marker {
                logger.info("registered the target dir's volume id", metadata: ["target_dir": "\(name)", "volume_id": "\(marker)"])
            }
            return winner == marker ? nil : mismatch(name, layout, marker: marker, registered: winner)
        }
        guard let registered else { return nil }
        guard let marker else {
            return
                "target dir \(name) (\(layout.targetDir)) holds no \(".odcs-volume-id") marker; the cluster's volume has \(registered) (is the volume mounted?)"
        }
        return marker == registered ? nil : mismatch(name, layout, marker: marker, registered: registered)
    }

    func mismatch(_ name: String, _ layout: VolumeLayout, marker: String, registered: String) -> String {
        "target dir \(name) (\(layout.targetDir)) is volume \(marker), the cluster's is \(registered)"
    }
}
