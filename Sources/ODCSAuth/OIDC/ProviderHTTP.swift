import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ODCSCore

/// The few HTTP calls made to an identity provider: GET a JSON document, POST a form.
/// Answers are read up to 1 MiB; a transport failure or a non-JSON body throws.
struct ProviderHTTP: Sendable {
    let client: HTTPClient
    let timeout: TimeAmount

    struct Answer {
        var status: Int
        var json: JSONValue?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func get(_ url: String, bearer: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        return try await send(request)
    }

    /// `application/x-www-form-urlencoded` POST with HTTP Basic client credentials.
    func postForm(_ url: String, fields: [(String, String)], clientID: String?, secret: Secret?) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let clientID {
            // RFC 6749 §2.3.1: both parts form-encoded before they are joined.
            let credentials = "\(Self.formEncode(clientID)):\(Self.formEncode(secret?.value ?? ""))"
            request.headers.add(name: "Authorization", value: "Basic \(Data(credentials.utf8).base64EncodedString())")
        }
        let body = fields.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 20)
        let status = Int(response.status.code)
        guard status == 200 else { return Answer(status: status, json: nil) }
        do {
            return Answer(status: status, json: try JSONValue.parse(Array(body.readableBytesView)))
        } catch {
            throw Failure(description: "\(request.url) answered with a body that is not JSON")
        }
    }

    static func formEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
