import AsyncHTTPClient
import Foundation
import ODCSVolume
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Puts package files into a compose tree, like Pungi's `hardlink-or-copy` link type: a hard
/// link when the repository is a local directory on the same filesystem, a copy when it is
/// local but elsewhere, and an HTTP download, checked against the size and checksum of
/// primary.xml, for a URL repository.
///
///     let fetcher = PackageFetcher(width: 4)
///     try await fetcher.fetch([PackageFetcher.Job(package: p, repository: repo.location, destination: path)])
///
/// A local file is checked for its size only: hashing every package of a local repository
/// would cost as much as copying it. Links and copies run on `BlockingIO.bulk`, never on the
/// cooperative pool (a copy onto a slow volume would stall the node's API and heartbeats).
public struct PackageFetcher: Sendable {
    /// How a package got to its destination.
    public enum Method: Sendable, Equatable {
        case hardLink
        case copy
        case download
    }

    public struct Job: Sendable {
        public var package: RepoPackage
        public var repository: RepositoryLocation
        public var destination: FilePath

        public init(package: RepoPackage, repository: RepositoryLocation, destination: FilePath) {
            self.package = package
            self.repository = repository
            self.destination = destination
        }

        /// Where the package's file is: the repository root (or the package's `xml:base`)
        /// plus its `href`.
        public var source: RepositoryLocation { get throws(RepoError) { try repository.resolve(package.href, base: package.base) } }
    }

    public var httpClient: HTTPClient
    /// At most this many packages are fetched at once.
    public var width: Int
    /// For each download.
    public var downloadTimeout: Duration
    /// False forces copies even on one filesystem (Pungi's `copy` link type).
    public var hardLinks: Bool

    static let copyChunk = 1 << 20

    public init(httpClient: HTTPClient = .shared, width: Int = 4, downloadTimeout: Duration = .seconds(1800), hardLinks: Bool = true) {
        self.httpClient = httpClient
        self.width = max(1, width)
        self.downloadTimeout = downloadTimeout
        self.hardLinks = hardLinks
    }

    /// Fetches every job, `width` at a time; the methods come back in job order. The first
    /// failure cancels the rest and is thrown.
    public func fetch(_ jobs: [Job]) async throws -> [Method] {
        try await withThrowingTaskGroup(of: (Int, Method).self) { group in
            var methods = [Method?](repeating: nil, count: jobs.count)
            var next = 0
            func addNext() {
                guard next < jobs.count else { return }
                let index = next
                let job = jobs[index]
                group.addTask { (index, try await self.fetch(job)) }
                next += 1
            }
            for _ in 0..<min(width, jobs.count) { addNext() }
            while let (index, method) = try await group.next() {
                methods[index] = method
                addNext()
            }
            return methods.map { $0! }
        }
    }

    public func fetch(_ job: Job) async throws -> Method {
        try Task.checkCancellation()
        switch try job.source {
        case .directory(let path):
            let size = job.package.size
            return try await BlockingIO.bulk.run { cancel in try place(localFile: path, size: size, at: job.destination, cancel: cancel) }
        case .url(let url):
            do {
                try await HTTPDownloader(client: httpClient, timeout: downloadTimeout).download(
                    from: url, to: job.destination, expectedSize: job.package.size >= 0 ? job.package.size : nil,
                    checksum: job.package.checksum)
            } catch let failure as HTTPDownloader.Failure {
                throw RepoError.package(file: job.package.fileName, reason: failure.reason)
            }
            return .download
        }
    }

    /// The bytes `fetch` will write under `directory` for these jobs, before any is fetched: a
    /// local file on the same filesystem is hard-linked (nothing), any other is copied or
    /// downloaded (its size from the repository metadata or Koji, else the local file's).
    /// A download of unknown size counts as nothing: it is checked only once it is written.
    public func bytesToWrite(_ jobs: [Job], into directory: FilePath) -> (bytes: UInt64, linked: Int, written: Int) {
        var target = stat()
        let targetDevice: UInt64? = stat(directory.string, &target) == 0 ? UInt64(target.st_dev) : nil
        var bytes: UInt64 = 0
        var linked = 0
        for job in jobs {
            var size = job.package.size
            if case .directory(let path)? = try? job.source {
                var status = stat()
                if stat(path.string, &status) == 0 {
                    if hardLinks, let targetDevice, UInt64(status.st_dev) == targetDevice {
                        linked += 1
                        continue
                    }
                    if size < 0 { size = Int64(status.st_size) }
                }
            }
            bytes += UInt64(max(0, size))
        }
        return (bytes, linked, jobs.count - linked)
    }

    /// Hard-links (or, across filesystems, copies) a local file of the given size (any size when
    /// negative). It blocks: call it on `BlockingIO.bulk`; `cancel` stops a copy between chunks.
    public func place(localFile source: FilePath, size: Int64, at destination: FilePath, cancel: BlockingIO.Cancellation) throws -> Method {
        var status = stat()
        guard stat(source.string, &status) == 0 else {
            throw RepoError.package(file: source.string, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard size < 0 || Int64(status.st_size) == size else {
            throw RepoError.package(
                file: source.string, reason: "size mismatch: the repository metadata says \(size) bytes, the file has \(status.st_size)")
        }
        if hardLinks {
            if link(source.string, destination.string) == 0 { return .hardLink }
            // EXDEV: another filesystem; EPERM: a filesystem without hard links.
            guard errno == EXDEV || errno == EPERM || errno == EMLINK else {
                throw RepoError.package(
                    file: source.string, reason: "cannot link to \(destination): \(String(cString: strerror(errno)))")
            }
        }
        try copy(source, to: destination, cancel: cancel)
        return .copy
    }

    /// A plain read/write loop so that a long copy notices cancellation between chunks.
    private func copy(_ source: FilePath, to destination: FilePath, cancel: BlockingIO.Cancellation) throws {
        let partial = FilePath(destination.string + ".part")
        do {
            let input = try FileDescriptor.open(source, .readOnly)
            defer { try? input.close() }
            let output = try FileDescriptor.open(
                partial, .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite, .groupRead, .otherRead])
            defer { try? output.close() }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.copyChunk, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                try cancel.check()
                let count = try input.read(into: buffer)
                if count == 0 { break }
                _ = try output.writeAll(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            }
        } catch let error as CancellationError {
            try? FileManager.default.removeItem(atPath: partial.string)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: partial.string)
            throw RepoError.package(file: source.string, reason: "cannot copy to \(destination): \(error)")
        }
        guard rename(partial.string, destination.string) == 0 else {
            throw RepoError.package(file: source.string, reason: "cannot rename \(partial): \(String(cString: strerror(errno)))")
        }
    }
}
