import Hummingbird
import NIOCore

/// `GET /api/1/openapi.json`: the OpenAPI 3.1 document of the whole API.
///
/// `Sources/ODCSAPI/openapi.json` is the single source: SwiftPM compiles it into the binary
/// (`PackageResources`), `scripts/gen-api-docs.py` renders `docs/api.md` from it, and the tests
/// check it against the router's routes and the recorded upstream responses.
public enum OpenAPIDocument {
    /// The document's bytes (JSON).
    public static var bytes: [UInt8] { PackageResources.openapi_json }
}

struct OpenAPIRoutes: Sendable {
    func register(on router: Router<ODCSRequestContext>) {
        let body = ByteBuffer(bytes: OpenAPIDocument.bytes)
        router.get("/api/1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .accessControlAllowOrigin: "*"],
                body: ResponseBody(byteBuffer: body))
        }
    }
}
