import NIOPosix

/// Where a compose's generation runs: threads of its own, at `GenerationPriority.nice`, instead
/// of the threads that serve the node's requests.
///
/// A node runs Swift concurrency on NIO's event loops (`odcs serve` installs them as the global
/// executor): the same few threads that accept connections, answer `/readyz` and talk to
/// PostgreSQL. A generator does CPU work (XML and JSON, the solver) and small file writes
/// (its step log, the compose's metadata) between its awaits; on those threads every such
/// stretch delays every request behind it, and a write that the kernel holds back while the
/// volume is busy holds an event loop with it. So the worker starts each generation with this
/// executor as its task executor preference (SE-0417): the generator's code, and every child
/// task it starts, runs here, and it awaits the database and `BlockingIO` as before.
///
///     group.addTask(executorPreference: GenerationExecutor.shared) { try await generator.generate(context) }
public final class GenerationExecutor: TaskExecutor {
    public static let shared = GenerationExecutor(threads: 4)

    let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        // Every job runs, even on a pool that is shutting down (it never is: the executor
        // lives as long as the process); a dropped job would hang its task.
        pool.submit { _ in
            GenerationPriority.lowerCurrentThread()
            job.runSynchronously(on: executor)
        }
    }
}
