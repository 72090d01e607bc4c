import Logging
import ODCSCore
import PostgresNIO
import Synchronization

/// Reads single composes for `GET /api/1/composes/<id>`, coalescing concurrent reads into
/// one `WHERE id = ANY($1)` statement (docs/api-reads.md).
///
/// At most `maxInFlight` statements run at once. A read that finds a free slot starts a
/// statement at once, so a lone request waits for nobody; reads that arrive while every slot
/// is busy queue up and go together in the next statement of the first slot to finish. Under
/// load, one round trip, one Bind/Execute and one PostgreSQL snapshot serve many requests.
///
/// Freshness is that of a direct read: a queued read is answered by a statement that began
/// after it arrived, so it sees every commit that preceded the request.
///
/// A statement that gets no answer within `answerLimit` (a pooled connection the server
/// ended, on which postgres-nio may wait forever) fails its reads with `Deadline.Exceeded`
/// (the API's 503 with `Retry-After`) and frees its slot; it is left behind.
public final class ComposeReader: Sendable {
    typealias Waiter = CheckedContinuation<Compose?, any Error>

    struct State {
        var pending: [Int64: [Waiter]] = [:]
        var inFlight = 0
        var statements = 0
    }

    let client: PostgresClient
    let logger: Logger
    let maxInFlight: Int
    let maxBatch: Int
    let answerLimit: Duration
    let state = Mutex(State())

    /// - Parameters:
    ///   - maxInFlight: statements at once; a few, well under the pool's connections, so that
    ///     writes and the workers keep theirs.
    ///   - maxBatch: ids per statement at most.
    ///   - answerLimit: how long a statement may go unanswered.
    public init(
        client: PostgresClient, logger: Logger, maxInFlight: Int = 4, maxBatch: Int = 256, answerLimit: Duration = .seconds(20)
    ) {
        self.client = client
        self.logger = logger
        self.maxInFlight = max(1, maxInFlight)
        self.maxBatch = max(1, maxBatch)
        self.answerLimit = answerLimit
    }

    /// Reads waiting for a free slot (for tests and diagnostics).
    public var queuedReads: Int { state.withLock { $0.pending.values.reduce(0) { $0 + $1.count } } }

    /// Statements run so far (for tests and diagnostics).
    public var statementCount: Int { state.withLock { $0.statements } }

    /// The compose with this id, or nil.
    public func compose(id: Int64) async throws -> Compose? {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let batch: [Int64: [Waiter]]? = state.withLock { state in
                state.pending[id, default: []].append(waiter)
                guard state.inFlight < maxInFlight else { return nil }
                state.inFlight += 1
                state.statements += 1
                return take(&state)
            }
            if let batch { Task { await run(batch) } }
        }
    }

    /// Up to `maxBatch` ids of the pending reads, removed from `pending`.
    private func take(_ state: inout State) -> [Int64: [Waiter]] {
        guard state.pending.count > maxBatch else {
            defer { state.pending = [:] }
            return state.pending
        }
        var batch: [Int64: [Waiter]] = [:]
        for id in state.pending.keys.prefix(maxBatch) { batch[id] = state.pending.removeValue(forKey: id) }
        return batch
    }

    /// Answers `batch`, then the reads that queued meanwhile, until none is left.
    private func run(_ first: [Int64: [Waiter]]) async {
        var batch = first
        while true {
            do {
                let ids = Array(batch.keys)
                let (client, logger) = (client, logger)
                let found = try await Deadline.run(answerLimit) {
                    var found: [Int64: Compose] = [:]
                    found.reserveCapacity(ids.count)
                    for try await compose in try await client.execute(ComposeSelectByIDs(ids: ids), logger: logger) {
                        found[compose.id] = compose
                    }
                    return found
                }
                for (id, waiters) in batch {
                    for waiter in waiters { waiter.resume(returning: found[id]) }
                }
            } catch {
                for waiters in batch.values {
                    for waiter in waiters { waiter.resume(throwing: error) }
                }
            }
            let next: [Int64: [Waiter]]? = state.withLock { state in
                guard !state.pending.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                state.statements += 1
                return take(&state)
            }
            guard let next else { return }
            batch = next
        }
    }
}
