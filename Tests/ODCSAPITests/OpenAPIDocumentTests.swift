import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSAPI
import ODCSCore
import ODCSTesting
import Testing

/// `/api/1/openapi.json` against the real router: every API route documented, every
/// documented operation routed and answering one of its documented statuses.
@Suite struct OpenAPIDocumentTests {
    struct Operation: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method) \(path)" }
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The document's operations, paths without a trailing slash (the router matches both).
    static func documented() throws -> [Operation: JSONObject] {
        let document = try JSONValue.parse(OpenAPIDocument.bytes)
        let paths = try #require(document["paths"]?.objectValue)
        var operations: [Operation: JSONObject] = [:]
        for (path, item) in paths.entries {
            for (method, operation) in item.objectValue?.entries ?? [] where methods.contains(method) {
                operations[Operation(method: method.uppercased(), path: normalised(path))] = operation.objectValue
            }
        }
        return operations
    }

    static func normalised(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The API: `/api/…` and the health endpoints (HTML pages are not API).
    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path == "/healthz" || path == "/readyz"
    }

    @Test func documentIsOpenAPI31WithOperationIDs() throws {
        let document = try JSONValue.parse(OpenAPIDocument.bytes)
        #expect(document["openapi"]?.stringValue == "3.1.0")
        let operations = try Self.documented()
        let ids = operations.values.compactMap { $0["operationId"]?.stringValue }
        #expect(ids.count == operations.count)
        #expect(Set(ids).count == ids.count)
    }

    @Test func everyRouterRouteIsDocumentedAndEveryDocumentedOperationIsARoute() async throws {
        try await TestAPI.with { api in
            let router = api.makeRouter()
            let routed = Set(
                router.routes.map { Operation(method: $0.method.rawValue, path: Self.normalised($0.path.description)) }
                    .filter { Self.isAPI($0.path) })
            let documented = Set(try Self.documented().keys)
            #expect(routed.subtracting(documented).isEmpty, "routes missing from openapi.json")
            #expect(documented.subtracting(routed).isEmpty, "documented operations without a route")
            #expect(!routed.isEmpty)
        }
    }

    @Test func everyDocumentedOperationAnswersADocumentedStatus() async throws {
        try await TestAPI.with { api in
            let operations = try Self.documented()
            try await api.test { client in
                let created = try await client.request(
                    .post, "/api/1/composes/", body: #"{"source": {"type": "repo", "source": "http://example.com/openapi"}}"#)
                let id = try #require(try created.json["id"]?.int)
                // GET and PATCH before DELETE, which cancels the compose.
                let order = ["GET", "POST", "PATCH", "DELETE"]
                for (operation, spec) in operations.sorted(by: {
                    (order.firstIndex(of: $0.key.method) ?? 9, $0.key.path) < (order.firstIndex(of: $1.key.method) ?? 9, $1.key.path)
                }) {
                    var uri = operation.path.replacingOccurrences(of: "{id}", with: String(id))
                    // The event stream never ends; a bad compose_id proves the route without one.
                    if operation.path == "/api/1/events" { uri += "/?compose_id=0" }
                    let body: String? =
                        switch operation.method {
                        case "POST": #"{"source": {"type": "repo", "source": "http://example.com/openapi2"}}"#
                        case "PATCH": #"{"seconds_to_live": 600}"#
                        default: nil
                        }
                    let response = try await client.request(HTTPRequest.Method(operation.method)!, uri, body: body)
                    let statuses = spec["responses"]?.objectValue?.keys ?? []
                    #expect(statuses.contains(String(response.status.code)), "\(operation) answered \(response.status.code)")
                    if response.status == .notFound {
                        #expect(try response.json["message"]?.stringValue != APIError.routeNotFound.message, "\(operation)")
                    }
                    // OPTIONS names every documented method of the path.
                    let options = try await client.request(.options, uri)
                    #expect(options.headers[.allow]?.contains(operation.method) == true, "OPTIONS \(uri)")
                }
            }
        }
    }

    @Test func servesTheDocument() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let response = try await client.request(.get, "/api/1/openapi.json")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(Array(response.body.readableBytesView) == OpenAPIDocument.bytes)
            }
        }
    }

    /// The request fields' patterns in the document are the ones the API enforces.
    @Test func requestFieldPatternsAreTheEnforcedOnes() throws {
        let document = try JSONValue.parse(OpenAPIDocument.bytes)
        let schemas = try #require(document["components"]?["schemas"])
        for (path, pattern) in ComposeFieldRules.Pattern.documented {
            let parts = path.split(separator: ".").map(String.init)
            var node = try #require(schemas[parts[0]], "\(path)")
            for part in parts.dropFirst() {
                let isList = part.hasSuffix("[]")
                node = try #require(node["properties"]?[isList ? String(part.dropLast(2)) : part], "\(path)")
                if isList { node = try #require(node["items"], "\(path)") }
            }
            #expect(node["pattern"]?.stringValue == pattern.regex, "\(path)")
        }
    }
}
