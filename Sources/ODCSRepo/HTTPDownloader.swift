import AsyncHTTPClient
import Foundation
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
        let file = try FileDescriptor.open(
            partial, .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite, .groupRead, .otherRead])
        var written: Int64 = 0
        do {
            defer { try? file.close() }
            for try await buffer in response.body {
                try Task.checkCancellation()
                try buffer.readableBytesView.withUnsafeBytes { bytes in
                    hasher?.update(bytes)
                    _ = try file.writeAll(bytes)
                }
                written += Int64(buffer.readableBytes)
                if let expectedSize, written > expectedSize { break }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial.string)
            throw error
        }
        if let expectedSize, written != expectedSize {
            try? FileManager.default.removeItem(atPath: partial.string)
            throw Failure(reason: "size mismatch: the repository metadata says \(expectedSize) bytes, \(url) sent \(written)")
        }
        if let checksum, let digest = hasher?.finalize(), digest != checksum.value {
            try? FileManager.default.removeItem(atPath: partial.string)
            throw Failure(reason: "\(checksum.type) checksum mismatch: expected \(checksum.value), got \(digest) from \(url)")
        }
        guard rename(partial.string, destination.string) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partial.string)
            throw Failure(reason: "cannot rename \(partial) to \(destination): \(reason)")
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
