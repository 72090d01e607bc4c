import Hummingbird
import Logging
import ODCSCore
import ODCSStore

/// `/api/1/about/`, `/api/1/metrics/`, `/healthz` and `/readyz`.
struct ServiceRoutes: Sendable {
    let store: ComposeStore
    let configuration: APIConfiguration
    let metrics: MetricsExporter
    let readiness: @Sendable () async throws -> Void

    func register(on router: Router<ODCSRequestContext>) {
        // Both `/about` and `/about/` answer 200 (Hummingbird ignores the trailing slash).
        router.get("/api/1/about/") { _, _ in about() }
        router.get("/api/1/metrics/") { _, context in try await exportMetrics(context) }
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/readyz") { _, context in try await ready(context) }
    }

    func about() -> Response {
        let body: JSONValue = [
            "allowed_clients": configuration.allowedClients,
            "auth_backend": .string(configuration.authBackend),
            "raw_config_urls": configuration.rawConfigURLs,
            "sigkeys": .array(configuration.sigkeys.map(JSONValue.string)),
            "version": .string(configuration.version),
        ]
        return JSONResponse.make(body.serialized(), cors: true)
    }

    func exportMetrics(_ context: ODCSRequestContext) async throws -> Response {
        let text = try await metrics.export(store: store)
        var headers: HTTPFields = [.contentType: "text/plain; version=0.0.4; charset=utf-8"]
        headers[.accessControlAllowOrigin] = "*"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func ready(_ context: ODCSRequestContext) async throws -> Response {
        do {
            try await readiness()
        } catch {
            context.logger.warning("not ready", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "not ready: \(error)")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n")))
    }
}
