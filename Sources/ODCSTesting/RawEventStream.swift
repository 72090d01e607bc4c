import Foundation
import NIOCore
import NIOPosix
import ODCSClientKit
import ODCSNode

/// One `GET /api/1/events/` over a plain TCP connection that the test controls: from which
/// local address it connects, how small its receive buffer is, when it stops reading (a slow
/// consumer) and when it closes. Hundreds fit in one test, unlike an HTTP client's pool.
///
///     try await RawEventStream.with(port: port) { stream in
///         #expect(try await stream.head().status == 200)
///         let event = try await stream.next()
///     }
public final class RawEventStream {
    public struct Head: Sendable {
        public var status: Int
        public var headers: [String: String]
        /// The body, de-chunked, when the response was not a stream (an error answer).
        public var body: String
    }

    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending: [UInt8] = []
    var parser = ServerSentEventParser()
    var events: [ServerSentEvent] = []
    var ended = false

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Connects to 127.0.0.1:`port` (from `localAddress`, e.g. 127.0.0.2, when given), sends the
    /// request and runs `body`; the connection is closed when `body` returns.
    public static func with<R: Sendable>(
        port: Int, query: String = "", headers: [String: String] = [:], localAddress: String? = nil, receiveBuffer: Int32? = nil,
        _ body: (RawEventStream) async throws -> R
    ) async throws -> R {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let receiveBuffer { bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer)) }
        if let localAddress { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localAddress, port: 0)) }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                // Room for one read only: a stream that is not read really stops reading.
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                    wrappingChannelSynchronously: channel,
                    configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)))
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            let stream = RawEventStream(inbound: inbound, outbound: outbound)
            var request = "GET /api/1/events/\(query) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
            for (name, value) in headers { request += "\(name): \(value)\r\n" }
            try await outbound.write(ByteBuffer(string: request + "\r\n"))
            return try await body(stream)
        }
    }

    /// Reads one more buffer; false at the end of the connection (closed or reset).
    func fill() async -> Bool {
        guard !ended else { return false }
        do {
            guard let buffer = try await inbound.next() else {
                ended = true
                return false
            }
            pending += buffer.readableBytesView
            return true
        } catch {
            ended = true
            return false
        }
    }

    /// The status line and headers (and an error answer's body).
    public func head() async throws -> Head {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = pending.firstRange(of: separator) {
                let lines = String(decoding: pending[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n")
                pending.removeSubrange(..<end.upperBound)
                let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                var body = ""
                if status != 200, let length = headers["content-length"].flatMap(Int.init) {
                    while pending.count < length, await fill() {}
                    body = String(decoding: pending.prefix(length), as: UTF8.self)
                }
                return Head(status: status, headers: headers, body: body)
            }
            guard await fill() else { throw RawEventStreamError.closedBeforeHead }
        }
    }

    /// The next event (chunk framing removed); nil when the connection ended first.
    public func next() async throws -> ServerSentEvent? {
        while events.isEmpty {
            if let chunk = takeChunk() {
                events += parser.feed(chunk)
                continue
            }
            guard await fill() else { return nil }
        }
        return events.removeFirst()
    }

    /// Reads (and keeps) whatever arrives until the connection ends.
    public func readToEnd() async {
        while await fill() {}
        while let chunk = takeChunk() { events += parser.feed(chunk) }
    }

    /// The events parsed by `readToEnd` and not yet returned by `next`.
    public var received: [ServerSentEvent] { events }

    /// One chunk of the chunked body, if a whole one has arrived.
    func takeChunk() -> String? {
        guard let lineEnd = pending.firstRange(of: Array("\r\n".utf8)),
            let size = Int(String(decoding: pending[..<lineEnd.lowerBound], as: UTF8.self), radix: 16),
            pending.count >= lineEnd.upperBound + size + 2
        else { return nil }
        let text = String(decoding: pending[lineEnd.upperBound..<(lineEnd.upperBound + size)], as: UTF8.self)
        pending.removeSubrange(..<(lineEnd.upperBound + size + 2))
        return text
    }
}

public enum RawEventStreamError: Error {
    case closedBeforeHead
}
