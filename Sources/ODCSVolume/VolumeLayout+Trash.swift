import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The trash: `.trash/odcs-<id>-<seconds>-<nonce>/`, a removed compose renamed out of
/// `odcs-<id>` at `<seconds>` (Unix time). Readers that had opened its files before still read
/// them; on NFS, only the client that holds a file open keeps it readable (as a silly-renamed
/// `.nfs…` file), and another node deleting the tree through its own client pulls the file
/// from under the reader (ESTALE). So removal waits:
///
/// - an entry stays for the grace period (`trash_grace`), long enough for a download in
///   progress to finish;
/// - an entry whose tree still holds silly-renamed files is left as it is (busy) and looked at
///   again on the next pass: their client deletes them when the reader closes;
/// - only a forced pass (disk pressure: the space is needed now) deletes entries before their
///   grace ends, silly-renamed files included.
///
/// Every pass says what it did (`TrashPass`); the caller logs and counts it.
extension VolumeLayout {
    public struct TrashPass: Sendable, Equatable {
        public struct Failure: Sendable, Equatable {
            public var entry: String
            public var reason: String
        }

        /// Entries deleted.
        public var removed: [String] = []
        /// Of `removed`, those deleted before their grace period ended (a forced pass).
        public var forced: [String] = []
        /// Entries kept because their grace period is not over.
        public var waiting = 0
        /// Entries still holding files a reader has open (ENOTEMPTY, EBUSY): tried again later.
        public var busy: [Failure] = []
        /// Entries that could not be deleted for another reason.
        public var failed: [Failure] = []

        public init() {}
    }

    /// When an entry went into the trash: from its name, or (an entry of an older layout,
    /// `odcs-<id>-<nonce>`) its last change.
    func trashedAt(_ name: String) -> Date? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0] == "odcs", let seconds = Int64(parts[2]) { return Date(timeIntervalSince1970: Double(seconds)) }
        var status = stat()
        guard lstat(trashDirectory.appending(generated: name).string, &status) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(status.st_ctim.tv_sec))
    }

    /// Deletes the trash's entries whose grace period is over (all of them when `force`). It
    /// blocks: call it on `BlockingIO.bulk`.
    public func emptyTrash(grace: Duration, force: Bool = false, now: Date = Date()) -> TrashPass {
        var pass = TrashPass()
        var status = stat()
        guard lstat(trashDirectory.string, &status) == 0 else { return pass }  // nothing removed here yet
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: trashDirectory.string).sorted() else {
            pass.failed.append(.init(entry: ".trash", reason: "cannot list: \(String(cString: strerror(errno)))"))
            return pass
        }
        let cutoff = now.addingTimeInterval(-Double(grace.components.seconds))
        for name in names {
            guard let entry = try? trashDirectory.appending(components: [name]) else { continue }
            let due = (trashedAt(name) ?? .distantPast) <= cutoff
            if !due && !force {
                pass.waiting += 1
                continue
            }
            do {
                // Another node's pass may delete the same entry at the same time: gone is fine.
                guard try TreeRemover.remove(entry, keepingOpenFiles: !force) else { continue }
                pass.removed.append(name)
                if !due { pass.forced.append(name) }
            } catch let error where error.code == ENOTEMPTY || error.code == EBUSY {
                pass.busy.append(.init(entry: name, reason: error.reason))
            } catch {
                pass.failed.append(.init(entry: name, reason: error.reason))
            }
        }
        return pass
    }
}
