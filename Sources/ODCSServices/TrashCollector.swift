import Logging
import ODCSVolume

/// Empties the trash of target dirs on `BlockingIO`'s threads, and says what it did: the
/// entries deleted (`odcs_trash_removed_total`), deleted early for disk space
/// (`odcs_trash_forced_total`, a warning each), put off because a reader still has a file
/// open (`odcs_trash_busy_total`), or that failed (`odcs_trash_failed_total`, an error each);
/// `odcs_trash_entries` is what is left after the pass. See `VolumeLayout.emptyTrash`.
///
/// Expiry and the orphan sweep run it on every pass; disk pressure forces it.
public struct TrashCollector: Sendable {
    /// How long a removed compose stays in the trash, so that downloads in progress finish.
    public var grace: Duration
    let metrics: ServiceMetrics
    let logger: Logger

    public init(grace: Duration, metrics: ServiceMetrics, logger: Logger) {
        self.grace = grace
        self.metrics = metrics
        self.logger = logger
    }

    /// One pass over the trash of each layout; `force` deletes entries still in their grace
    /// period, silly-renamed files included (the space is needed now). Returns the passes.
    @discardableResult
    public func empty(_ layouts: [VolumeLayout], force: Bool = false) async -> [VolumeLayout.TrashPass] {
        var passes: [VolumeLayout.TrashPass] = []
        var left = 0
        for layout in layouts {
            let grace = grace
            guard let pass = try? await BlockingIO.bulk.run({ layout.emptyTrash(grace: grace, force: force) }) else { continue }
            report(pass, layout: layout)
            left += pass.waiting + pass.busy.count + pass.failed.count
            passes.append(pass)
        }
        metrics.trashEntries.record(left)
        return passes
    }

    func report(_ pass: VolumeLayout.TrashPass, layout: VolumeLayout) {
        let target = "\(layout.targetDir)"
        metrics.trashRemoved.increment(by: pass.removed.count)
        metrics.trashForced.increment(by: pass.forced.count)
        metrics.trashBusy.increment(by: pass.busy.count)
        metrics.trashFailed.increment(by: pass.failed.count)
        if !pass.removed.isEmpty {
            logger.debug("emptied the trash", metadata: ["target_dir": "\(target)", "removed": "\(pass.removed.count)"])
        }
        for entry in pass.forced {
            logger.warning(
                "removed a trash entry before its grace period ended: the volume needs the space (readers of it may fail)",
                metadata: ["target_dir": "\(target)", "entry": "\(entry)", "trash_grace": "\(grace)"])
        }
        for busy in pass.busy {
            logger.notice(
                "trash entry still holds files a reader has open; trying again on the next pass",
                metadata: ["target_dir": "\(target)", "entry": "\(busy.entry)", "reason": "\(busy.reason)"])
        }
        for failure in pass.failed {
            logger.error(
                "cannot remove a trash entry",
                metadata: ["target_dir": "\(target)", "entry": "\(failure.entry)", "reason": "\(failure.reason)"])
        }
    }
}
