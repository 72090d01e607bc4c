import AsyncHTTPClient
import Foundation
import ODCSVolume
import SystemPackage

/// GETs repository files over http(s): small metadata into memory, packages and compressed
/// metadata streamed to a file and checked against the size and checksum the repository
/// metadata promised.
struct HTTPDownloader: Sendable {
    var client: HTTPClient
    var timeout: Duration

    struct Failure: Error {
        var reason: String
    }

    func data(from url: String, limit: Int) async throws -> Data {
        let response = try await response(for: url)
        do {
            let body = try await response.body.collect(upTo: limit)
            return Data(body.readableBytesView)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw Failure(reason: "GET \(url) failed while reading the body (limit \(limit) bytes): \(error)")
        }
    }

    /// Writes the body to `destination` through a `.part` file that is renamed only once the
    /// size and checksum are right, so that a half-written package is never in a tree.
    func download(from url: String, to destination: FilePath, expectedSize: Int64?, checksum: PackageChecksum?) async throws {
        var hasher: PackageHasher?
        if let checksum {
            guard let made = checksum.makeHasher() else {
                throw Failure(reason: "unsupported checksum type '\(checksum.type)'")
            }
            hasher = made
        }
        let response = try await response(for: url)
        let partial = FilePath(destination.string + ".part")
        // Every file call runs on BlockingIO.bulk: a write onto a slow volume blocks its thread.
        let file = try await BlockingIO.bulk.run {
            try FileDescriptor.open(
                partial, .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite, .groupRead, .otherRead])
        }
        var written: Int64 = 0
        do {
            for try await buffer in response.body {
                try Task.checkCancellation()
                buffer.readableBytesView.withUnsafeBytes { bytes in hasher?.update(bytes) }
                try await BlockingIO.bulk.run { _ = try buffer.readableBytesView.withUnsafeBytes { try file.writeAll($0) } }
                written += Int64(buffer.readableBytes)
                if let expectedSize, written > expectedSize { break }
            }
            try await BlockingIO.bulk.run { try file.close() }
        } catch {
            try? await BlockingIO.bulk.run {
                try? file.close()
                try? FileManager.default.removeItem(atPath: partial.string)
            }
            throw error
        }
        let failure: String? = {
            if let expectedSize, written != expectedSize {
                return "size mismatch: the repository metadata says \(expectedSize) bytes, \(url) sent \(written)"
            }
            if let checksum, let digest = hasher?.finalize(), digest != checksum.value {
                return "\(checksum.type) checksum mismatch: expected \(checksum.value), got \(digest) from \(url)"
            }
            return nil
        }()
        try await BlockingIO.bulk.run {
            if let failure {
                try? FileManager.default.removeItem(atPath: partial.string)
                throw Failure(reason: failure)
            }
            guard rename(partial.string, destination.string) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: partial.string)
                throw Failure(reason: "cannot rename \(partial) to \(destination): \(reason)")
            }
        }
    }

    private func response(for url: String) async throws -> HTTPClientResponse {
        let request = HTTPClientRequest(url: url)
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .nanoseconds(nanoseconds))
        } catch let error as CancellationError {
            throw error
        } catch {
            throw Failure(reason: "GET \(url) failed: \(error)")
        }
        guard response.status.code == 200 else {
            throw Failure(reason: "GET \(url) returned HTTP \(response.status.code)")
        }
        return response
    }
}
