import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A read-only Koji session over XML-RPC, the way `koji.ClientSession` makes anonymous calls:
/// one POST per call to the hub URL, keyword arguments in a final `__starstar` struct, a
/// timeout per call and retries for what a retry can fix (a connection that failed, a
/// timeout, an HTTP 5xx). A Koji fault is an answer, never retried.
///
///     let koji = KojiClient(configuration: .init(url: "https://koji.example.com/kojihub"))
///     let event = try await koji.getLastEvent()
///     let (rpms, builds) = try await koji.listTaggedRPMS("f40-build", event: event.id, inherit: true, latest: true)
///
/// Every call ODCS makes is read-only, so a retry can never do anything twice.
public struct KojiClient: Sendable {
    public struct Configuration: Sendable {
        /// The hub's XML-RPC endpoint, e.g. `https://koji.fedoraproject.org/kojihub`.
        public var url: String
        /// For one call, connection to last byte.
        public var timeout: Duration
        /// Attempts after the first for a call that failed on the way (koji's `max_retries`).
        public var maxRetries: Int
        /// Before the first retry; doubled for each further one (koji's `retry_interval`).
        public var retryInterval: Duration

        public init(url: String, timeout: Duration = .seconds(60), maxRetries: Int = 3, retryInterval: Duration = .seconds(2)) {
            self.url = url
            self.timeout = timeout
            self.maxRetries = max(0, maxRetries)
            self.retryInterval = retryInterval
        }
    }

    public var configuration: Configuration
    public var httpClient: HTTPClient
    public var logger: Logger

    /// Koji answers are small except `listTaggedRPMS` over a big tag (tens of MB).
    static let responseLimit = 512 << 20

    public init(configuration: Configuration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "odcs.koji")) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    /// One call; the result, or `KojiError.fault` for the hub's fault, `.transport` once the
    /// retries are spent, `.malformedResponse` for an answer that is not XML-RPC.
    public func call(_ call: XMLRPCCall) async throws(KojiError) -> XMLRPCValue {
        let body = try await post(XMLRPCEncoder().encode(call), method: call.methodName)
        return try XMLRPCDecoder().decodeResponse(body).get()
    }

    public func call(
        _ method: String, _ arguments: [XMLRPCValue] = [], keywords: [(String, XMLRPCValue)] = []
    ) async throws(KojiError) -> XMLRPCValue {
        try await call(XMLRPCCall(methodName: method, arguments: arguments, keywordArguments: keywords))
    }

    /// Koji's `multiCall`: many calls in one request; a fault of one call is that call's result.
    public func multiCall(_ calls: [XMLRPCCall]) async throws(KojiError) -> [Result<XMLRPCValue, KojiError>] {
        guard !calls.isEmpty else { return [] }
        let body = try await post(XMLRPCMultiCall.encodeCall(calls), method: XMLRPCMultiCall.methodName)
        let results = try XMLRPCMultiCall.decodeResponse(body)
        guard results.count == calls.count else {
            throw .malformedResponse("multiCall sent \(calls.count) calls and got \(results.count) results")
        }
        return results
    }

    private func post(_ text: String, method: String) async throws(KojiError) -> Data {
        var attempt = 0
        var delay = configuration.retryInterval
        while true {
            do {
                return try await postOnce(text)
            } catch let failure as RetryableFailure {
                guard attempt < configuration.maxRetries, !Task.isCancelled else {
                    throw .transport("\(method) on \(configuration.url): \(failure.reason)")
                }
                attempt += 1
                logger.warning(
                    "Koji call failed, retrying",
                    metadata: ["method": "\(method)", "attempt": "\(attempt)", "reason": "\(failure.reason)"])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw .transport("\(method) on \(configuration.url): cancelled")
                }
                delay *= 2
            } catch let error as KojiError {
                throw error
            } catch {
                throw .transport("\(method) on \(configuration.url): \(error)")
            }
        }
    }

    private struct RetryableFailure: Error {
        var reason: String
    }

    private func postOnce(_ text: String) async throws -> Data {
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml")
        request.headers.add(name: "User-Agent", value: "odcs-swift (koji client)")
        request.body = .bytes(ByteBuffer(string: text))
        let components = configuration.timeout.components
        let timeout = TimeAmount.nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: timeout)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw RetryableFailure(reason: "\(error)")
        }
        let status = response.status
        if status.code >= 500 { throw RetryableFailure(reason: "HTTP \(status.code) \(status.reasonPhrase)") }
        guard status == .ok else { throw KojiError.transport("HTTP \(status.code) \(status.reasonPhrase) from \(configuration.url)") }
        do {
            let body = try await response.body.collect(upTo: Self.responseLimit)
            return Data(body.readableBytesView)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw RetryableFailure(reason: "reading the answer: \(error)")
        }
    }
}
