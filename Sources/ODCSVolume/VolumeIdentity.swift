import Foundation
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The marker that says which volume a target dir is: `<target_dir>/.odcs-volume-id`, one
/// line, written once by the first node (with `O_EXCL`, so two first nodes agree) and kept
/// in the database (`volumes`). A node whose target dir lacks it, or holds another id, is
/// looking at something else than the cluster's volume: a mount point before the mount, a
/// wrong export, a local directory.
extension VolumeLayout {
    var markerEntry: ConfinedPath { root.appending(literal: ".odcs-volume-id") }

    /// The id in the marker; nil when there is no marker.
    public func readVolumeMarker() throws -> String? {
        let descriptor = open(markerEntry.string, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw FileError(description: "cannot read \(markerEntry): \(String(cString: strerror(errno)))", code: errno)
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(descriptor, &buffer, buffer.count)
        guard count >= 0 else { throw FileError(description: "cannot read \(markerEntry): \(String(cString: strerror(errno)))") }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Writes `id` into a new marker and returns it; when a marker exists already (another
    /// node was first), returns the id it holds instead.
    public func createVolumeMarker(_ id: String) throws -> String {
        let descriptor = open(markerEntry.string, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            if errno == EEXIST, let existing = try readVolumeMarker() { return existing }
            throw FileError(description: "cannot create \(markerEntry): \(String(cString: strerror(errno)))", code: errno)
        }
        defer { close(descriptor) }
        let line = Array((id + "\n").utf8)
        guard write(descriptor, line, line.count) == line.count, fsync(descriptor) == 0 else {
            throw FileError(description: "cannot write \(markerEntry): \(String(cString: strerror(errno)))")
        }
        return id
    }
}

/// Whether this node's target dirs are the cluster's volume, as the last identity check
/// found. Every service that writes or removes on the volume asks it first: a node that is
/// not on the volume claims nothing, expires and sweeps nothing, and is not ready.
public final class VolumeTrust: Sendable {
    let state: Mutex<String?>

    /// `reason` nil: trusted.
    public init(untrustedBecause reason: String?) {
        state = Mutex(reason)
    }

    /// A trust that is always given: for tests and tools that check nothing.
    public static var unchecked: VolumeTrust { VolumeTrust(untrustedBecause: nil) }

    public var isTrusted: Bool { state.withLock { $0 == nil } }

    /// Why the volume is not trusted; nil when it is.
    public var reason: String? { state.withLock { $0 } }

    /// Records a check's result; returns the reason it replaces (nil: it was trusted).
    @discardableResult
    public func update(untrustedBecause reason: String?) -> String? {
        state.withLock { current in
            defer { current = reason }
            return current
        }
    }
}
