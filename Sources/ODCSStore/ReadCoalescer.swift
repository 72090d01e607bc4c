import Synchronization

/// Identical reads share one run of `read` (issue 18): a read whose key has no run going
/// starts one at once, in its own task, so that a lone request waits for nobody; reads of
/// the same key that arrive while a run is going wait, and go together in the next run,
/// started as soon as the current one ends. Under load, one statement and one rendering then
/// answer every client asking the same thing (50 pollers of `?state=0` cost two statements
/// at a time, not 50).
///
/// Freshness is that of a direct read: a read is answered only by a run that began after it
/// arrived, so it sees every commit that preceded the request. A run that fails fails every
/// read it answers, with the error a direct read gives.
public final class ReadCoalescer<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    typealias Waiter = CheckedContinuation<Value, any Error>

    struct State {
        /// The keys with a run going, and the reads waiting for the next run of each.
        var running: [Key: [Waiter]] = [:]
        var runs = 0

        /// Starts a run of `key` unless one is going; true when this call started it.
        mutating func start(_ key: Key) -> Bool {
            guard running[key] == nil else { return false }
            running[key] = []
            runs += 1
            return true
        }
    }

    let read: @Sendable (Key) async throws -> Value
    let state = Mutex(State())

    public init(read: @escaping @Sendable (Key) async throws -> Value) {
        self.read = read
    }

    /// Runs started so far (for tests and diagnostics).
    public var runCount: Int { state.withLock { $0.runs } }

    /// Reads waiting for a next run (for tests and diagnostics).
    public var waitingReads: Int { state.withLock { $0.running.values.reduce(0) { $0 + $1.count } } }

    /// The value of `key`, read by a run that began after this call.
    public func value(_ key: Key) async throws -> Value {
        guard state.withLock({ $0.start(key) }) else {
            return try await withCheckedThrowingContinuation { (waiter: Waiter) in
                // The run may have ended since the first look: then this read starts one.
                let starts: Bool = state.withLock { state in
                    if state.start(key) { return true }
                    state.running[key]!.append(waiter)
                    return false
                }
                if starts { Task { await self.runRounds(key, first: [waiter]) } }
            }
        }
        // This read leads: it reads in its own task, then hands the reads that queued
        // meanwhile to a task of their own, so that its answer waits for nobody.
        let result: Result<Value, any Error>
        do { result = .success(try await read(key)) } catch { result = .failure(error) }
        if let next = endRun(key) { Task { await self.runRounds(key, first: next) } }
        return try result.get()
    }

    /// Ends the current run of `key`: the reads that queued during it, which then start the
    /// next run, or nil when none did (and `key` has no run going any more).
    private func endRun(_ key: Key) -> [Waiter]? {
        state.withLock { state in
            guard let waiting = state.running[key], !waiting.isEmpty else {
                state.running[key] = nil
                return nil
            }
            state.running[key] = []
            state.runs += 1
            return waiting
        }
    }

    /// Answers `first` with one run, then the reads that queued meanwhile, until none is left.
    private func runRounds(_ key: Key, first: [Waiter]) async {
        var waiters = first
        while true {
            let result: Result<Value, any Error>
            do { result = .success(try await read(key)) } catch { result = .failure(error) }
            for waiter in waiters { waiter.resume(with: result) }
            guard let next = endRun(key) else { return }
            waiters = next
        }
    }
}
