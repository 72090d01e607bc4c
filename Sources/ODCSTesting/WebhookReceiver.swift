import Foundation
import Hummingbird
import Logging
import NIOCore

/// An HTTP endpoint for webhook tests: records every POST (headers and body), answers 200, or
/// 500 for the next `failNext` requests, or holds requests while `stalled` (so a test can kill
/// a publisher mid-delivery). Waiters are woken by requests, never by sleeps.
public actor WebhookReceiver {
    public struct Delivery: Sendable {
        /// By lower-case name.
        public var headers: [String: String]
        public var body: String
    }

    public private(set) var deliveries: [Delivery] = []
    /// Requests that arrived, answered or not.
    public private(set) var arrivals = 0
    private var failNext = 0
    private var stalled = false
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var arrivalWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var stallReleases: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func fail(next count: Int) { failNext = count }

    public func stall(_ on: Bool) {
        stalled = on
        if !on {
            for release in stallReleases { release.resume() }
            stallReleases = []
        }
    }

    /// Returns once `count` requests have been answered with 2xx.
    public func waitForDeliveries(_ count: Int) async {
        if deliveries.count >= count { return }
        await withCheckedContinuation { waiters.append((count, $0)) }
    }

    /// Returns once `count` requests have arrived.
    public func waitForArrivals(_ count: Int) async {
        if arrivals >= count { return }
        await withCheckedContinuation { arrivalWaiters.append((count, $0)) }
    }

    func receive(headers: [String: String], body: String) async -> HTTPResponse.Status {
        arrivals += 1
        arrivalWaiters.removeAll { waiter in
            guard arrivals >= waiter.count else { return false }
            waiter.continuation.resume()
            return true
        }
        if stalled { await withCheckedContinuation { stallReleases.append($0) } }
        if failNext > 0 {
            failNext -= 1
            return .internalServerError
        }
        deliveries.append(Delivery(headers: headers, body: body))
        waiters.removeAll { waiter in
            guard deliveries.count >= waiter.count else { return false }
            waiter.continuation.resume()
            return true
        }
        return .ok
    }

    /// Serves on 127.0.0.1 until `body` returns; `body` gets the URL to POST to.
    public func serving<R: Sendable>(_ body: @Sendable (String) async throws -> R) async throws -> R {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }  // lower-case names
            let status = await self.receive(headers: headers, body: String(buffer: buffer))
            return Response(status: status)
        }
        return try await StaticFileServer.serving(router, label: "webhook-receiver") { port in
            // Held requests must be answered before the server stops, or it waits for them.
            do {
                let result = try await body("http://127.0.0.1:\(port)/hook")
                await self.stall(false)
                return result
            } catch {
                await self.stall(false)
                throw error
            }
        }
    }
}
