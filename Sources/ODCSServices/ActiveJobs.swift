import ODCSStore

/// Why a running generation must stop before it finishes.
enum JobInterrupt: Sendable, Equatable {
    /// The heartbeat found the lease gone: stop, publish nothing.
    case leaseLost
    /// The node is draining and the drain timeout passed: hand the compose back.
    case drain
}

/// The generations a worker runs now, with a way to interrupt each.
actor ActiveJobs {
    struct Job {
        var lease: Lease
        var interrupt: AsyncStream<JobInterrupt>.Continuation
    }

    private var jobs: [Int64: Job] = [:]

    var count: Int { jobs.count }

    var leases: [Lease] { jobs.values.map(\.lease) }

    func add(_ lease: Lease) -> AsyncStream<JobInterrupt> {
        let (stream, continuation) = AsyncStream.makeStream(of: JobInterrupt.self, bufferingPolicy: .bufferingNewest(1))
        jobs[lease.composeID] = Job(lease: lease, interrupt: continuation)
        return stream
    }

    func remove(_ id: Int64) {
        jobs.removeValue(forKey: id)?.interrupt.finish()
    }

    func interrupt(_ id: Int64, _ reason: JobInterrupt) {
        jobs[id]?.interrupt.yield(reason)
    }

    func interruptAll(_ reason: JobInterrupt) {
        for job in jobs.values { job.interrupt.yield(reason) }
    }
}
