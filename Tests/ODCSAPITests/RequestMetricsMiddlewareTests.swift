import Hummingbird
import HummingbirdTesting
import MetricsTestKit
import NIOCore
import Testing

@testable import ODCSAPI

/// The request metrics keep Hummingbird's names and labels, count every answer and every
/// error by route, method and status, time each request and track the ones in progress.
@Suite struct RequestMetricsMiddlewareTests {
    @Test func countsTimesAndTracksRequestsByRouteMethodAndStatus() async throws {
        let metrics = TestMetrics()
        let router = Router(context: ODCSRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(factory: metrics))
        router.get("/things/:id") { _, _ in
            // In progress while the handler runs.
            let active = try metrics.expectMeter("http.server.active_requests", [("http.request.method", "GET")])
            #expect(active.lastValue == 1)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        router.post("/things/") { _, _ -> Response in throw APIError.badRequest("no") }
        try await Application(router: router).test(.router) { client in
            for id in [1, 2] {
                let response = try await client.execute(uri: "/things/\(id)", method: .get)
                #expect(response.status == .ok)
            }
            let refused = try await client.execute(uri: "/things/", method: .post)
            #expect(refused.status == .badRequest)
        }
        let ok = [("http.route", "/things/{id}"), ("http.request.method", "GET"), ("http.response.status_code", "200")]
        #expect(try metrics.expectCounter("hb.requests", ok).totalValue == 2)
        let durations = try metrics.expectTimer("http.server.request.duration", ok).values
        #expect(durations.count == 2 && durations.allSatisfy { $0 > 0 })
        let refused = [("http.route", "/things"), ("http.request.method", "POST"), ("http.response.status_code", "400")]
        #expect(try metrics.expectCounter("hb.requests", refused).totalValue == 1)
        #expect(
            try metrics.expectCounter(
                "hb.request.errors", [("http.route", "/things"), ("http.request.method", "POST"), ("error.type", "400")]
            ).totalValue == 1)
        #expect(try metrics.expectMeter("http.server.active_requests", [("http.request.method", "GET")]).lastValue == 0)
        #expect(try metrics.expectMeter("http.server.active_requests", [("http.request.method", "POST")]).lastValue == 0)
    }
}
