import NIOPosix
import Synchronization

/// Blocking file work, done on threads of its own instead of Swift's cooperative pool.
///
/// The cooperative pool has one thread per core. A `read`, `write`, `stat` or `rename` on the
/// shared volume blocks its thread for as long as the volume takes — a large copy onto NFS,
/// a slow server, a hung mount — and while every cooperative thread is blocked, nothing else
/// of the node runs: not the API, not the heartbeats, not the leader checks. So every file
/// operation on the volume goes through one of two lanes, each a fixed set of threads (the
/// bound on how much file work runs at once):
///
/// - `bulk`: copies, downloads' writes, signature-header and RPM-header reads, tree removals,
///   directory walks: work that may take seconds to minutes.
/// - `lookup`: what a request or a duty needs at once: stat, realpath, a listing, a rename,
///   statvfs, the volume marker. Kept apart so that a lookup never queues behind a copy.
///
///     let method = try await BlockingIO.bulk.run { cancel in try fetcher.place(…, cancel: cancel) }
///
/// A hung mount still hangs the work in a lane (and fills it), but never the node. The bulk
/// lane's threads run at `GenerationPriority.nice`, below the rest of the node.
public struct BlockingIO: Sendable {
    public static let bulk = BlockingIO(threads: 4, lowered: true)
    public static let lookup = BlockingIO(threads: 4, lowered: false)

    let pool: NIOThreadPool
    public let threads: Int
    /// Whether this lane's threads run at `GenerationPriority.nice`.
    let lowered: Bool

    init(threads: Int, lowered: Bool) {
        self.threads = threads
        self.lowered = lowered
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// Runs `body` on a thread of this lane. A task cancelled before its turn never runs.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive { [lowered] in
            if lowered { GenerationPriority.lowerCurrentThread() }
            return try body()
        }
    }

    /// Runs long work that checks `cancel` between its steps: cancelling the calling task sets it.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Cancellation) throws -> T) async throws -> T {
        let cancellation = Cancellation()
        return try await withTaskCancellationHandler {
            try await run { try body(cancellation) }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Whether the task that started a piece of blocking work has been cancelled; the work
    /// itself runs on a thread outside any task, where `Task.checkCancellation()` sees nothing.
    public final class Cancellation: Sendable {
        let cancelled = Atomic<Bool>(false)

        public init() {}

        public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

        public func cancel() { cancelled.store(true, ordering: .relaxed) }

        /// Throws `CancellationError` once cancelled.
        public func check() throws(CancellationError) {
            if isCancelled { throw CancellationError() }
        }
    }
}
