import Foundation
import Hummingbird
import NIOCore

/// A Pulp 2 server for tests: `POST /pulp/api/v2/repositories/search/` (content set search
/// with the `notes.content_set` `$in` filter and the `include_in_download_service` filter) and
/// `GET /pulp/api/v2/repositories/<id>/` (404 with Pulp's `error_message` when missing), in
/// Pulp's JSON shapes. With `credentials` set, requests without that basic authorization get 401.
/// Records every search body it received.
public actor PulpTestServer {
    public struct Repository: Sendable {
        public var id: String
        public var contentSet: String
        public var relativeURL: String
        public var arch: String
        /// Comma-separated key ids, as Pulp's notes hold them.
        public var signatures: String
        public var published: Bool

        public init(id: String, contentSet: String, relativeURL: String, arch: String, signatures: String, published: Bool = true) {
            self.id = id
            self.contentSet = contentSet
            self.relativeURL = relativeURL
            self.arch = arch
            self.signatures = signatures
            self.published = published
        }

        var json: [String: Any] {
            [
                "id": id, "display_name": id, "_href": "/pulp/api/v2/repositories/\(id)/",
                "notes": [
                    "relative_url": relativeURL, "content_set": contentSet, "arch": arch, "signatures": signatures,
                    "product_versions": "[\"8.2\"]", "include_in_download_service": published ? "True" : "False",
                ],
            ]
        }
    }

    public var repositories: [Repository]
    public var credentials: (user: String, password: String)?
    /// The JSON bodies of the searches received.
    public private(set) var searches: [String] = []
    public private(set) var lookups: [String] = []

    public init(repositories: [Repository], credentials: (user: String, password: String)? = nil) {
        self.repositories = repositories
        self.credentials = credentials
    }

    func authorized(_ header: String?) -> Bool {
        guard let credentials else { return true }
        return header == "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
    }

    func search(_ body: Data) throws -> (HTTPResponse.Status, Data) {
        searches.append(String(decoding: body, as: UTF8.self))
        guard let query = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let criteria = query["criteria"] as? [String: Any], let filters = criteria["filters"] as? [String: Any]
        else { return try Self.json(.badRequest, ["error_message": "Invalid criteria", "http_status": 400] as [String: Any]) }
        let sets = ((filters["notes.content_set"] as? [String: Any])?["$in"] as? [String]) ?? []
        let publishedOnly = (filters["notes.include_in_download_service"] as? String) == "True"
        let found = repositories.filter { sets.contains($0.contentSet) && (!publishedOnly || $0.published) }
        return try Self.json(.ok, found.map(\.json))
    }

    func lookup(_ id: String) throws -> (HTTPResponse.Status, Data) {
        lookups.append(id)
        guard let repository = repositories.first(where: { $0.id == id }) else {
            return try Self.json(
                .notFound,
                [
                    "error_message": "Missing resource(s): repository=\(id)", "http_status": 404,
                    "resources": ["repository": id], "http_request_method": "GET",
                ] as [String: Any]
            )
        }
        var json = repository.json
        // A repository read by id carries the flag as a boolean.
        if var notes = json["notes"] as? [String: Any] {
            notes["include_in_download_service"] = repository.published
            json["notes"] = notes
        }
        return try Self.json(.ok, json)
    }

    static func json(_ status: HTTPResponse.Status, _ object: Any) throws -> (HTTPResponse.Status, Data) {
        (status, try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func response(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Serves until `body` returns; `body` gets the server URL (`http://127.0.0.1:<port>`),
    /// ODCS's `pulp_server_url`.
    public func serving<R: Sendable>(_ body: @Sendable (String) async throws -> R) async throws -> R {
        let router = Router()
        let unauthorized = try Self.json(
            .unauthorized, ["error_message": "Invalid username or password", "http_status": 401] as [String: Any]
        ).1
        router.post("pulp/api/v2/repositories/search/") { request, _ -> Response in
            guard await self.authorized(request.headers[.authorization]) else { return Self.response(.unauthorized, unauthorized) }
            let buffer = try await request.body.collect(upTo: 16 << 20)
            let (status, data) = try await self.search(Data(buffer.readableBytesView))
            return Self.response(status, data)
        }
        router.get("pulp/api/v2/repositories/:id/") { request, context -> Response in
            guard await self.authorized(request.headers[.authorization]) else { return Self.response(.unauthorized, unauthorized) }
            let (status, data) = try await self.lookup(context.parameters.get("id") ?? "")
            return Self.response(status, data)
        }
        return try await StaticFileServer.serving(router, label: "pulp-test-server") { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }
}
