import Hummingbird
import NIOCore
import ODCSCore

/// Reads a JSON request body whatever its Content-Type (upstream uses `get_json(force=True)`).
enum RequestBody {
    /// nil when the body is empty.
    static func json(_ request: Request, limit: Int) async throws -> JSONValue? {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "The request body is larger than \(limit) bytes.")
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "The request body is larger than \(limit) bytes.")
        }
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONValue.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("Failed to decode JSON object: \(error.description)")
        }
    }
}
