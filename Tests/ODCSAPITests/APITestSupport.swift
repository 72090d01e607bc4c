import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSAPI
import ODCSCore
import ODCSTesting
import Testing

extension TestResponse {
    var json: JSONValue {
        get throws { try JSONValue.parse(Array(body.readableBytesView)) }
    }
}

extension TestClientProtocol {
    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: [:], body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestAPI {
    func test<R: Sendable>(_ body: @Sendable @escaping (any TestClientProtocol) async throws -> R) async throws -> R {
        let app = Application(router: makeRouter())
        return try await app.test(.router, body)
    }
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }
    var int: Int? {
        if case .int(let value) = self { return value }
        return nil
    }
}

extension TestAPI {
    /// The API on a real socket behind the node's HTTP server (`guardedHTTP1` and the
    /// connection cap), for tests that need the wire: streamed bodies, raw requests.
    func live<R: Sendable>(
        limits: HTTPServerLimits = HTTPServerLimits(), _ body: @Sendable @escaping (any TestClientProtocol, Int) async throws -> R
    ) async throws -> R {
        let logger = TestDatabase.logger
        let app = Application(
            router: makeRouter(), server: .guardedHTTP1(limits, logger: logger),
            configuration: limits.applying(to: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger), logger: logger)
        return try await app.test(.live) { client in
            guard let port = client.port else { throw RawHTTPConnection.ConnectionError("the live client has no port") }
            return try await body(client, port)
        }
    }
}
