import Dispatch
import Foundation
import ODCSRepo
import ODCSTesting
import ODCSVolume
import Synchronization
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Copies block their thread for as long as the volume takes. These tests make a copy block
/// for as long as they want: its source is a FIFO, whose open(2) waits until a writer comes,
/// as a read from a hung NFS mount would. The copies must wait on `BlockingIO.bulk`, never on
/// the cooperative pool (issue 20): with the copies run inline, as they once were, more
/// blocked copies than cores stop every task of the process.
///
/// Serialized: each test counts the process's threads blocked in a FIFO's open(2), which
/// must be its own.
@Suite(.serialized) struct PackageFetcherBlockingTests {
    /// A local repository of `count` FIFOs named like packages, and the jobs that copy them.
    static func fifoJobs(in dir: FilePath, count: Int) throws -> (fifos: [String], jobs: [PackageFetcher.Job]) {
        let repo = dir.appending("repo")
        try FileManager.default.createDirectory(atPath: repo.string, withIntermediateDirectories: true)
        var fifos: [String] = []
        var jobs: [PackageFetcher.Job] = []
        for number in 0..<count {
            let name = "slow-\(number)-1-1.noarch.rpm"
            let path = repo.appending(name).string
            guard mkfifo(path, 0o600) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
            fifos.append(path)
            // Size unknown (-1): the FIFO's stat size is 0.
            let package = RepoPackage(
                name: "slow-\(number)", evr: RPMVersion(version: "1", release: "1"), arch: "noarch", href: name, checksum: nil, size: -1)
            jobs.append(PackageFetcher.Job(package: package, repository: .directory(repo), destination: dir.appending(name)))
        }
        return (fifos, jobs)
    }

    /// Threads of this process waiting in a FIFO's open(2) for a writer (the kernel's wait_for_partner).
    static func threadsWaitingForAWriter() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/wchan", encoding: .utf8)) == "wait_for_partner"
        }.count
    }

    /// Opens each FIFO that has a reader for writing and closes it at once: its reader sees an
    /// empty file. Returns how many were released.
    @discardableResult
    static func release(_ fifos: [String]) -> Int {
        var released = 0
        for fifo in fifos {
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 {
                close(fd)
                released += 1
            }
        }
        return released
    }

    /// Whatever happened in a test, no copy of it stays blocked on a bulk thread: every reader
    /// still waiting on one of its FIFOs is released (for at most a second).
    static func releaseAll(_ fifos: [String]) {
        for _ in 0..<100 where threadsWaitingForAWriter() > 0 {
            release(fifos)
            usleep(10_000)
        }
    }

    /// Releases the FIFOs from a thread of its own if the test has not done so within a
    /// minute: a starved cooperative pool cannot run the test's own release, and the test
    /// must fail, not hang.
    final class Watchdog: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        let lock = NSLock()
        private var fired = false
        var didFire: Bool { lock.withLock { fired } }

        init(fifos: [String]) {
            Thread.detachNewThread { [self] in
                guard done.wait(timeout: .now() + 60) == .timedOut else { return }
                lock.withLock { fired = true }
                while done.wait(timeout: .now() + 0.05) == .timedOut { PackageFetcherBlockingTests.release(fifos) }
            }
        }

        func stop() { done.signal() }
    }

    @Test(.timeLimit(.minutes(3)))
    func blockedCopiesLeaveTheCooperativePoolFree() async throws {
        try await TemporaryDirectory.with { dir in
            // Twice as many blocked copies as the bulk lane has threads, and more than the
            // cooperative pool has.
            let count = 2 * BlockingIO.bulk.threads
            let (fifos, jobs) = try Self.fifoJobs(in: dir, count: count)
            let watchdog = Watchdog(fifos: fifos)
            defer {
                watchdog.stop()
                Self.releaseAll(fifos)
            }
            let finished = Flag()
            let fetch = Task {
                defer { finished.set() }
                return try await PackageFetcher(width: count, hardLinks: false).fetch(jobs)
            }

            // Every bulk thread is now blocked in a copy's open(2)... (copies blocking the
            // cooperative pool instead never get that far: the watchdog releases them.)
            while Self.threadsWaitingForAWriter() < BlockingIO.bulk.threads, !watchdog.didFire {
                try await Task.sleep(for: .milliseconds(10))
            }
            // ...and the cooperative pool still runs tasks: more of them than it has threads.
            let ran = await withTaskGroup(of: Int.self) { group in
                for number in 0..<(4 * ProcessInfo.processInfo.activeProcessorCount) { group.addTask { number } }
                return await group.reduce(0) { count, _ in count + 1 }
            }
            #expect(ran == 4 * ProcessInfo.processInfo.activeProcessorCount)

            // Released as they open (queued copies open their FIFO as a thread frees up); each
            // copy ends with an empty file.
            while !finished.isSet {
                Self.release(fifos)
                try await Task.sleep(for: .milliseconds(10))
            }
            let methods = try await fetch.value
            #expect(!watchdog.didFire, "the test could not run while the copies blocked: they starved the cooperative pool")
            #expect(methods == Array(repeating: .copy, count: count))
            for job in jobs { #expect(try FileManager.default.attributesOfItem(atPath: job.destination.string)[.size] as? UInt64 == 0) }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func cancellingAFetchStopsABlockedCopyOnceItMoves() async throws {
        try await TemporaryDirectory.with { dir in
            let (fifos, jobs) = try Self.fifoJobs(in: dir, count: 1)
            let watchdog = Watchdog(fifos: fifos)
            defer {
                watchdog.stop()
                Self.releaseAll(fifos)
            }
            let finished = Flag()
            let fetch = Task {
                defer { finished.set() }
                return try await PackageFetcher(hardLinks: false).fetch(jobs[0])
            }
            while Self.threadsWaitingForAWriter() < 1, !watchdog.didFire { try await Task.sleep(for: .milliseconds(10)) }
            fetch.cancel()
            // A writer that keeps writing and never closes: the copy reads its first chunk,
            // sees the cancellation and stops, removing its partial file. (Opened without
            // blocking: a blocking open would hold a cooperative thread until a reader came.)
            var writer = open(fifos[0], O_WRONLY | O_NONBLOCK)
            while writer < 0, !finished.isSet, !watchdog.didFire {
                try await Task.sleep(for: .milliseconds(10))
                writer = open(fifos[0], O_WRONLY | O_NONBLOCK)
            }
            #expect(writer >= 0)
            defer { if writer >= 0 { close(writer) } }
            // Once the copy has stopped and closed its end, a write gets EPIPE, not the signal.
            signal(SIGPIPE, SIG_IGN)
            let chunk = [UInt8](repeating: 7, count: 4096)
            while !finished.isSet {
                if writer >= 0 { _ = chunk.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } }
                try await Task.sleep(for: .milliseconds(10))
            }
            let result = await fetch.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(!FileManager.default.fileExists(atPath: jobs[0].destination.string + ".part"))
            #expect(!FileManager.default.fileExists(atPath: jobs[0].destination.string))
        }
    }

    /// Set once, read from anywhere.
    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
    }
}
