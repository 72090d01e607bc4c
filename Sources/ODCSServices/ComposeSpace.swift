import Logging
import ODCSGenerator
import ODCSVolume

/// The worker's `SpaceCheck` for one compose: before its packages are placed, the volume of its
/// target dir must keep `min_free_space` free after them (and after what this node's other
/// generations on that volume have reserved). When it would not, the oldest done composes of
/// that volume are removed early (`VolumeRoom`); when that cannot make enough room, the
/// compose fails at once with a reason that says how much it needed and had.
struct ComposeSpace: SpaceCheck {
    var room: VolumeRoom
    var layout: VolumeLayout
    var composeID: Int64
    var metrics: ServiceMetrics

    func ensure(bytes: UInt64, for purpose: String, logger: Logger) async throws {
        guard let volume = await room.volume(of: layout) else { return }
        let reserved = await room.reservations.reserved(on: volume.device, except: composeID)
        let minimum = room.configuration.minFreeBytes
        let needed = bytes + reserved
        // No removal could make room for a compose the volume could never hold: fail before any.
        let layout = layout
        if let capacity = try? await BlockingIO.lookup.run({ try layout.capacityBytes() }),
            bytes.addingReportingOverflow(minimum).partialValue > capacity
        {
            metrics.spaceRefused.increment()
            throw GeneratorError(
                "Not enough space in the target dir for \(purpose): \(bytes) bytes needed, more than the volume (\(capacity) bytes) "
                    + "less min_free_space (\(minimum) bytes) could ever hold.")
        }
        let composeID = composeID
        let relief = try await room.makeRoom(on: volume, extraBytes: needed, fence: nil) { free in
            "Removed early: the target dir had \(free) bytes free; compose \(composeID) needed \(bytes) bytes "
                + "and min_free_space is \(minimum) bytes."
        }
        if !relief.removed.isEmpty {
            logger.info("made room for the compose", metadata: ["removed": "\(relief.removed)", "free_bytes": "\(relief.freeBytes)"])
        }
        guard relief.enough else {
            metrics.spaceRefused.increment()
            var reason =
                "Not enough space in the target dir for \(purpose): \(bytes) bytes needed, \(relief.freeBytes) bytes free"
            if reserved > 0 { reason += " (\(reserved) of them promised to composes generating on this node)" }
            if minimum == 0 {
                reason += "; early removal is off (min_free_space is 0)."
            } else if relief.removed.isEmpty {
                reason += " and min_free_space keeps \(minimum) bytes free; no done compose old enough could be removed to make room."
            } else {
                reason +=
                    " and min_free_space keeps \(minimum) bytes free; removing \(relief.removed.count) old composes did not make enough room."
            }
            throw GeneratorError(reason)
        }
        await room.reservations.add(bytes, on: volume.device, for: composeID)
    }
}
