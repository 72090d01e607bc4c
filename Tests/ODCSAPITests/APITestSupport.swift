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
