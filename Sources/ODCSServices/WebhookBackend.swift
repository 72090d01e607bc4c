import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// Events as HTTP POSTs of the message JSON to each configured URL. The body is signed with
/// HMAC-SHA256 over the exact bytes sent, in `X-ODCS-Signature-256: sha256=<hex>` (GitHub's
/// scheme), so a receiver can check it came from this service. A 2xx answer confirms.
///
/// Headers: `Content-Type: application/json`, `X-ODCS-Event: state-changed`,
/// `X-ODCS-Event-ID: <outbox id>` (the same id again means the same event: deliveries are at
/// least once), `X-ODCS-Signature-256`.
public struct WebhookBackend: EventBackend {
    public struct Configuration: Sendable {
        public var urls: [String]
        /// The HMAC key; nil sends no signature.
        public var secret: [UInt8]?
        public var timeout: Duration

        public init(urls: [String], secret: [UInt8]?, timeout: Duration = .seconds(10)) {
            self.urls = urls
            self.secret = secret
            self.timeout = timeout
        }
    }

    public let name = "webhook"
    let configuration: Configuration
    let httpClient: HTTPClient

    public init(configuration: Configuration, httpClient: HTTPClient = .shared) {
        self.configuration = configuration
        self.httpClient = httpClient
    }

    public static func signature(of body: String, secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: secret))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    public func deliver(_ messages: [EventMessage]) async -> [String?] {
        await withTaskGroup(of: (Int, String?).self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask { (index, await deliver(message)) }
            }
            var results = [String?](repeating: nil, count: messages.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
    }

    private func deliver(_ message: EventMessage) async -> String? {
        for url in configuration.urls {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-ODCS-Event", value: "state-changed")
            request.headers.add(name: "X-ODCS-Event-ID", value: String(message.id))
            if let secret = configuration.secret {
                request.headers.add(name: "X-ODCS-Signature-256", value: Self.signature(of: message.body, secret: secret))
            }
            request.body = .bytes(ByteBuffer(string: message.body))
            let seconds = max(1, configuration.timeout.components.seconds)
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(seconds))
                _ = try? await response.body.collect(upTo: 64 << 10)
                guard (200..<300).contains(response.status.code) else {
                    return "POST \(url) answered HTTP \(response.status.code)"
                }
            } catch {
                return "POST \(url) failed: \(error)"
            }
        }
        return nil
    }
}
