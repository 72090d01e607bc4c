import Logging
import NIOCore
import ODCSCore
import PostgresNIO
import Synchronization

/// Reads single composes for `GET /api/1/composes/<id>`, coalescing concurrent reads into
/// one `WHERE id = ANY($1)` statement, and answers them with JSON rendered once per version
/// of each row (docs/api-reads.md).
///
/// At most `maxInFlight` statements run at once. A read that finds a free slot starts a
/// statement at once, so a lone request waits for nobody; reads that arrive while every slot
/// is busy queue up and go together in the next statement of the first slot to finish. Under
/// load, one round trip, one Bind/Execute and one PostgreSQL snapshot serve many requests.
///
/// A batch first reads its rows' versions (`xmin`, two numbers a row). A compose whose
/// version is the one its kept answer was rendered from is answered with that answer; the
/// others (new, changed, or kept too long) are read whole, rendered, and kept, in a second
/// statement of the same batch. Kept answers are bounded by `maxKeptBytes` and `maxKeptAge`.
///
/// Freshness is that of a direct read: a queued read is answered by statements that began
/// after it arrived, so it sees every commit that preceded the request.
///
/// A statement that gets no answer within `answerLimit` (a pooled connection the server
/// ended, on which postgres-nio may wait forever) fails its reads with `Deadline.Exceeded`
/// (the API's 503 with `Retry-After`) and frees its slot; it is left behind. One watchdog
/// task, running while statements do, finds such statements within a quarter of the limit:
/// a timer and two tasks per statement (`Deadline.run`) were a twentieth of the node's CPU
/// per GET (issue 18).
public final class ComposeReader: Sendable {
    typealias Waiter = CheckedContinuation<ByteBuffer?, any Error>

    struct State {
        var pending: [Int64: [Waiter]] = [:]
        var inFlight = 0
        var statements = 0
        var kept: KeptAnswers
        /// The batches whose statements run, by run number, with when each began.
        var running: [Int: (batch: [Int64: [Waiter]], began: ContinuousClock.Instant)] = [:]
        var lastRun = 0
        var watching = false
    }

    /// Rendered answers by compose id, with the row version each was rendered from.
    struct KeptAnswers {
        struct Answer {
            var version: Int64
            var body: ByteBuffer
            var rendered: ContinuousClock.Instant
        }

        let maxBytes: Int
        let maxAge: Duration
        var answers: [Int64: Answer] = [:]
        var bytes = 0
        var renders = 0

        /// The kept answer of `id` if it was rendered from `version` within `maxAge` of `now`.
        func answer(_ id: Int64, version: Int64, now: ContinuousClock.Instant) -> ByteBuffer? {
            guard let answer = answers[id], answer.version == version, now - answer.rendered < maxAge else { return nil }
            return answer.body
        }

        mutating func keep(_ id: Int64, version: Int64, body: ByteBuffer, now: ContinuousClock.Instant) {
            forget(id)
            // One answer larger than a 64th of the whole is not kept.
            guard body.readableBytes <= maxBytes / 64 else { return }
            answers[id] = Answer(version: version, body: body, rendered: now)
            bytes += body.readableBytes
            guard bytes > maxBytes else { return }
            // Over the bound: drop answers (in the dictionary's order, unrelated to their use)
            // down to three quarters of it.
            while bytes > maxBytes * 3 / 4, let (other, _) = answers.first { forget(other) }
        }

        mutating func forget(_ id: Int64) {
            if let old = answers.removeValue(forKey: id) { bytes -= old.body.readableBytes }
        }
    }

    let client: PostgresClient
    let logger: Logger
    let render: @Sendable (Compose) -> String
    let maxInFlight: Int
    let maxBatch: Int
    let answerLimit: Duration
    let state: Mutex<State>

    /// - Parameters:
    ///   - maxInFlight: statements at once; a few, well under the pool's connections, so that
    ///     writes and the workers keep theirs.
    ///   - maxBatch: ids per statement at most.
    ///   - answerLimit: how long a statement may go unanswered.
    ///   - maxKeptBytes: rendered answers kept, in bytes at most.
    ///   - maxKeptAge: how long a kept answer may serve, however unchanged its row.
    ///   - render: a compose's answer.
    public init(
        client: PostgresClient, logger: Logger, maxInFlight: Int = 2, maxBatch: Int = 256, answerLimit: Duration = .seconds(20),
        maxKeptBytes: Int = 32 << 20, maxKeptAge: Duration = .seconds(600), render: @escaping @Sendable (Compose) -> String
    ) {
        self.client = client
        self.logger = logger
        self.render = render
        self.maxInFlight = max(1, maxInFlight)
        self.maxBatch = max(1, maxBatch)
        self.answerLimit = answerLimit
        self.state = Mutex(State(kept: KeptAnswers(maxBytes: max(0, maxKeptBytes), maxAge: maxKeptAge)))
    }

    /// Composes rendered so far (for tests and diagnostics).
    public var renderCount: Int { state.withLock { $0.kept.renders } }

    /// Reads waiting for a free slot (for tests and diagnostics).
    public var queuedReads: Int { state.withLock { $0.pending.values.reduce(0) { $0 + $1.count } } }

    /// Statements run so far (for tests and diagnostics).
    public var statementCount: Int { state.withLock { $0.statements } }

    /// The rendered compose with this id, or nil when there is none.
    public func rendered(id: Int64) async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let batch: [Int64: [Waiter]]? = state.withLock { state in
                state.pending[id, default: []].append(waiter)
                guard state.inFlight < maxInFlight else { return nil }
                state.inFlight += 1
                return take(&state)
            }
            if let batch { Task { await run(batch) } }
        }
    }

    /// Up to `maxBatch` ids of the pending reads, removed from `pending`, for one more statement.
    private func take(_ state: inout State) -> [Int64: [Waiter]] {
        state.statements += 1
        guard state.pending.count > maxBatch else {
            defer { state.pending = [:] }
            return state.pending
        }
        var batch: [Int64: [Waiter]] = [:]
        for id in state.pending.keys.prefix(maxBatch) { batch[id] = state.pending.removeValue(forKey: id) }
        return batch
    }

    /// Answers `batch`, then the reads that queued meanwhile, until none is left. A batch the
    /// watchdog has failed is not answered again, and its slot is the watchdog's to free.
    private func run(_ first: [Int64: [Waiter]]) async {
        var batch = first
        while true {
            let (run, watch) = state.withLock { state in
                state.lastRun += 1
                state.running[state.lastRun] = (batch, .now)
                defer { state.watching = true }
                return (state.lastRun, !state.watching)
            }
            if watch { Task { await self.watch() } }
            let found: Result<[Int64: ByteBuffer], any Error>
            do { found = .success(try await answers(Array(batch.keys))) } catch { found = .failure(error) }
            let (ours, next): (Bool, [Int64: [Waiter]]?) = state.withLock { state in
                guard state.running.removeValue(forKey: run) != nil else { return (false, nil) }
                guard !state.pending.isEmpty else {
                    state.inFlight -= 1
                    return (true, nil)
                }
                return (true, take(&state))
            }
            if ours {
                switch found {
                case .success(let found):
                    for (id, waiters) in batch {
                        for waiter in waiters { waiter.resume(returning: found[id]) }
                    }
                case .failure(let error): Self.fail(batch, with: error)
                }
            }
            guard let next else { return }
            batch = next
        }
    }

    private static func fail(_ batch: [Int64: [Waiter]], with error: any Error) {
        for waiters in batch.values {
            for waiter in waiters { waiter.resume(throwing: error) }
        }
    }

    /// While statements run: every quarter of `answerLimit`, fails the batches whose statement
    /// has gone unanswered for `answerLimit`, frees their slots and starts the reads queued
    /// behind them. Ends when no statement runs.
    private func watch() async {
        while true {
            try? await Task.sleep(for: answerLimit / 4)
            let now = ContinuousClock.now
            let (expired, started, idle): ([[Int64: [Waiter]]], [[Int64: [Waiter]]], Bool) = state.withLock { state in
                var expired: [[Int64: [Waiter]]] = []
                for (run, running) in state.running where now - running.began >= answerLimit {
                    state.running[run] = nil
                    state.inFlight -= 1
                    expired.append(running.batch)
                }
                var started: [[Int64: [Waiter]]] = []
                while state.inFlight < maxInFlight, !state.pending.isEmpty {
                    state.inFlight += 1
                    started.append(take(&state))
                }
                let idle = state.running.isEmpty && started.isEmpty
                if idle { state.watching = false }
                return (expired, started, idle)
            }
            for batch in expired { Self.fail(batch, with: Deadline.Exceeded(limit: answerLimit)) }
            for batch in started { Task { await run(batch) } }
            if !expired.isEmpty {
                logger.warning(
                    "reads got no answer in time; their statements are left behind", metadata: ["statements": "\(expired.count)"])
            }
            if idle { return }
        }
    }

    /// The answers of the composes with these ids that exist: kept ones where the row's
    /// version is unchanged, the others read and rendered now.
    private func answers(_ ids: [Int64]) async throws -> [Int64: ByteBuffer] {
        var versions: [Int64: Int64] = [:]
        versions.reserveCapacity(ids.count)
        for try await (id, version) in try await client.execute(ComposeSelectVersionsByIDs(ids: ids), logger: logger) {
            versions[id] = version
        }
        let now = ContinuousClock.now
        var found: [Int64: ByteBuffer] = [:]
        found.reserveCapacity(versions.count)
        state.withLock { state in
            for id in ids {
                guard let version = versions[id] else {
                    state.kept.forget(id)
                    continue
                }
                found[id] = state.kept.answer(id, version: version, now: now)
            }
        }
        let stale = versions.keys.filter { found[$0] == nil }
        guard !stale.isEmpty else { return found }
        // A row may change (or go) between the two statements: what is kept is paired with
        // the version it was read with, and the answer is then only fresher.
        var fresh: [(Int64, Int64, ByteBuffer)] = []
        fresh.reserveCapacity(stale.count)
        for try await (compose, version) in try await client.execute(ComposeSelectVersionedByIDs(ids: stale), logger: logger) {
            let body = ByteBuffer(string: render(compose))
            found[compose.id] = body
            fresh.append((compose.id, version, body))
        }
        state.withLock { state in
            state.kept.renders += fresh.count
            for (id, version, body) in fresh { state.kept.keep(id, version: version, body: body, now: now) }
        }
        return found
    }
}
