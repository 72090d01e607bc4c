import Logging
import ODCSCore
import PostgresNIO
import Synchronization

/// Inserts new composes for `POST /api/1/composes/` (and a renew's copy), coalescing
/// concurrent inserts into one statement, so that they share one round trip and one durable
/// commit (one WAL flush) (docs/api-reads.md, "Coalesced inserts").
///
/// The same shape as `ComposeReader`: at most `maxInFlight` transactions at once; an insert
/// that finds a free slot starts one at once (a lone POST waits for nobody), and inserts that
/// arrive while every slot is busy queue up and go together in the next transaction of the
/// first slot to finish. With PostgreSQL's default `synchronous_commit = on` every COMMIT
/// waits for its WAL flush; under load, one flush then serves a whole batch.
///
/// Each insert is answered after its transaction committed, as a direct insert is. A batch
/// whose transaction fails is rolled back whole and each of its inserts is retried alone
/// (`ComposeStore.insert`), so that one failing compose fails only its own request, with the
/// error a direct insert gives.
///
/// A transaction that gets no answer within `answerLimit` (a pooled connection the server
/// ended, on which postgres-nio may wait forever) fails its inserts with `Deadline.Exceeded`
/// (the API's 503 with `Retry-After`) and frees its slot; it is left behind (on a dead
/// connection it never commits).
public final class ComposeWriter: Sendable {
    typealias Waiter = CheckedContinuation<Compose, any Error>

    struct State {
        var pending: [(NewCompose, Waiter)] = []
        var inFlight = 0
        var transactions = 0
    }

    let store: ComposeStore
    let maxInFlight: Int
    let maxBatch: Int
    let answerLimit: Duration
    let state = Mutex(State())

    /// - Parameters:
    ///   - maxInFlight: transactions at once; few, so that a batch forms behind a busy slot.
    ///   - maxBatch: inserts per transaction at most.
    ///   - answerLimit: how long a transaction may go unanswered.
    public init(store: ComposeStore, maxInFlight: Int = 2, maxBatch: Int = 64, answerLimit: Duration = .seconds(20)) {
        self.store = store
        self.maxInFlight = max(1, maxInFlight)
        self.maxBatch = max(1, maxBatch)
        self.answerLimit = answerLimit
    }

    /// Inserts waiting for a free slot (for tests and diagnostics).
    public var queuedInserts: Int { state.withLock { $0.pending.count } }

    /// Batch transactions started so far (for tests and diagnostics).
    public var transactionCount: Int { state.withLock { $0.transactions } }

    /// Inserts a new compose in `wait`, records its owner and wakes idle workers, as
    /// `ComposeStore.insert` does; returns it once committed.
    public func insert(_ compose: NewCompose) async throws -> Compose {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let batch: [(NewCompose, Waiter)]? = state.withLock { state in
                state.pending.append((compose, waiter))
                guard state.inFlight < maxInFlight else { return nil }
                state.inFlight += 1
                state.transactions += 1
                return take(&state)
            }
            if let batch { Task { await run(batch) } }
        }
    }

    /// Up to `maxBatch` of the pending inserts, oldest first, removed from `pending`.
    private func take(_ state: inout State) -> [(NewCompose, Waiter)] {
        let count = min(maxBatch, state.pending.count)
        defer { state.pending.removeFirst(count) }
        return Array(state.pending.prefix(count))
    }

    /// Commits `batch`, then the inserts that queued meanwhile, until none is left.
    private func run(_ first: [(NewCompose, Waiter)]) async {
        var batch = first
        while true {
            await commit(batch)
            let next: [(NewCompose, Waiter)]? = state.withLock { state in
                guard !state.pending.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                state.transactions += 1
                return take(&state)
            }
            guard let next else { return }
            batch = next
        }
    }

    private func commit(_ batch: [(NewCompose, Waiter)]) async {
        let store = store
        let composes = batch.map(\.0)
        do {
            let inserted = try await Deadline.run(answerLimit) { try await store.insert(batch: composes) }
            for ((_, waiter), compose) in zip(batch, inserted) { waiter.resume(returning: compose) }
        } catch let error as Deadline.Exceeded {
            // Unanswered: the database is gone, one by one would only wait again.
            for (_, waiter) in batch { waiter.resume(throwing: error) }
        } catch let error as StoreError {
            // Committed, but the rows could not be told apart: inserting again would double them.
            for (_, waiter) in batch { waiter.resume(throwing: error) }
        } catch {
            guard batch.count > 1 else { return batch[0].1.resume(throwing: error) }
            store.logger.debug(
                "batch insert failed; inserting one by one", metadata: ["count": "\(batch.count)", "error": "\(String(reflecting: error))"])
            for (compose, waiter) in batch {
                do {
                    waiter.resume(returning: try await Deadline.run(answerLimit) { try await store.insert(compose) })
                } catch {
                    waiter.resume(throwing: error)
                }
            }
        }
    }
}

extension ComposeStore {
    /// Inserts these composes in `wait`, in this order, records their owners and wakes idle
    /// workers once; all or none, in one statement (`ComposeInsert`).
    public func insert(batch composes: [NewCompose]) async throws -> [Compose] {
        guard !composes.isEmpty else { return [] }
        var inserted: [Compose] = []
        inserted.reserveCapacity(composes.count)
        for try await compose in try await client.execute(ComposeInsert(composes: composes), logger: logger) {
            inserted.append(compose)
        }
        // Ids are drawn in the order given; a row that is not its request's would be somebody
        // else's compose in an answer, so that is an error, never an answer. The statement
        // has committed by then: the error says so, and the batch is not inserted again.
        guard inserted.count == composes.count,
            zip(composes, inserted).allSatisfy({ $0.owner == $1.owner && $0.sourceType == $1.sourceType && $0.source == $1.source })
        else { throw StoreError.insertedRowsUnmatched(inserted: inserted.count, requested: composes.count) }
        return inserted
    }

    /// An insert coalescer over this store's pool, for `POST /api/1/composes/`.
    public func makeWriter() -> ComposeWriter { ComposeWriter(store: self) }
}
