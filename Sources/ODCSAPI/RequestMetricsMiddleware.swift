import Dispatch
import Hummingbird
import Metrics
import Synchronization

/// Hummingbird's request metrics under Hummingbird's names and labels (`hb_requests`,
/// `http_server_request_duration`, `hb_request_errors`, `http_server_active_requests`),
/// recorded when the handler hands its response to the server rather than after its body is
/// written.
///
/// Hummingbird's `MetricsMiddleware` records after the write by wrapping every body in a
/// closure, and a closure body loses the server's one-write path for a body held in one
/// buffer: the head went out in one `write(2)` and the body in a second, each a flush, with
/// an executor hop between them. That was the larger part of what a request cost this node
/// beyond a bare Hummingbird server (issue 18, `docs/benchmarks.md`: `/api/1/about/` at 53 µs
/// of CPU a request against 29 µs). So a request's duration here is the time to its response
/// head: the whole request for every JSON answer, the time before the first byte for a
/// streamed list, a file or an event stream.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = ODCSRequestContext

    private let cache: Cache

    /// `factory`: where the metrics go (the process's `MetricsSystem` unless a test gives its own).
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        cache = Cache(factory: factory)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = DispatchTime.now().uptimeNanoseconds
        let active = cache.active(request.method)
        active.increment()
        defer { active.decrement() }
        do {
            let response = try await next(request, context)
            let metrics = cache.endpoint(.init(route: context.endpointPath ?? "Unknown", method: request.method, status: response.status))
            metrics.requests.increment()
            metrics.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let metrics = cache.endpoint(.init(route: context.endpointPath ?? "NotFound", method: request.method, status: status))
            metrics.requests.increment()
            metrics.errors.increment()
            throw error
        }
    }

    /// The metric handles per method and per (route, method, status), made once each.
    final class Cache: Sendable {
        struct Key: Hashable {
            var route: String
            var method: HTTPRequest.Method
            var status: HTTPResponse.Status
        }

        struct Endpoint: Sendable {
            let requests: Counter
            let duration: Timer
            let errors: Counter

            init(_ key: Key, factory: any MetricsFactory) {
                let dimensions = [
                    ("http.route", key.route), ("http.request.method", key.method.rawValue),
                    ("http.response.status_code", String(key.status.code)),
                ]
                requests = Counter(label: "hb.requests", dimensions: dimensions, factory: factory)
                duration = Timer(
                    label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
                errors = Counter(
                    label: "hb.request.errors",
                    dimensions: [
                        ("http.route", key.route), ("http.request.method", key.method.rawValue),
                        ("error.type", String(key.status.code)),
                    ], factory: factory)
            }
        }

        private let factory: any MetricsFactory
        private let endpoints = Mutex<[Key: Endpoint]>([:])
        private let methods = Mutex<[HTTPRequest.Method: Meter]>([:])

        init(factory: any MetricsFactory) {
            self.factory = factory
        }

        func endpoint(_ key: Key) -> Endpoint {
            endpoints.withLock { endpoints in
                if let found = endpoints[key] { return found }
                let made = Endpoint(key, factory: factory)
                endpoints[key] = made
                return made
            }
        }

        func active(_ method: HTTPRequest.Method) -> Meter {
            methods.withLock { methods in
                if let found = methods[method] { return found }
                let made = Meter(
                    label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)], factory: factory)
                methods[method] = made
                return made
            }
        }
    }
}
