import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ODCSCore

/// The ODCS REST API over HTTP, for the client commands: sends the bearer token when there is
/// one and turns an error answer into `ServerError` with the server's message.
struct ODCSClient: Sendable {
    let server: String
    let token: String?
    var httpClient: HTTPClient = .shared

    init(server: String, token: String?) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.token = token
    }

    /// The server answered an error (`{"status","error","message"}`, or anything else).
    struct ServerError: Error, CustomStringConvertible {
        var status: Int
        var message: String
        var description: String { "the server answered HTTP \(status): \(message)" }
    }

    /// The server could not be reached, or did not answer JSON.
    struct TransportError: Error, CustomStringConvertible {
        var description: String
    }

    func get(_ path: String, query: [(String, String)] = []) async throws -> JSONValue {
        try await send(.GET, path, query: query)
    }

    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil) async throws
        -> JSONValue
    {
        var url = server + path
        if !query.isEmpty { url += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&") }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: "odcs/\(ODCSVersion.wire)")
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.serialized(sortKeys: false)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: .seconds(60))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw TransportError(description: "cannot reach \(server): \(error)")
        }
        let text = String(buffer: bytes)
        let json = try? JSONValue.parse(Array(bytes.readableBytesView))
        guard (200..<300).contains(Int(response.status.code)) else {
            let message = json?.objectValue?["message"]?.stringValue ?? (text.isEmpty ? response.status.reasonPhrase : text)
            throw ServerError(status: Int(response.status.code), message: message)
        }
        guard let json else {
            throw TransportError(
                description: "\(method.rawValue) \(url) answered HTTP \(response.status.code) without JSON: \(text.prefix(200))")
        }
        return json
    }

    /// Percent-encodes a query name or value.
    static func escape(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
