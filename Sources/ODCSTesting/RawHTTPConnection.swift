import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One TCP connection to a live server on loopback, byte by byte, for tests that play a slow
/// or broken client (slowloris heads, trickled bodies, idle keep-alive, a connection cap).
///
/// The socket is non-blocking; the waits poll it and yield between polls, so a test never
/// blocks a cooperative thread. Every wait has a deadline and reports what it saw when the
/// deadline passes instead of hanging.
public final class RawHTTPConnection: @unchecked Sendable {
    public let fd: Int32
    var received: [UInt8] = []
    var closed = false

    public struct ConnectionError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// A parsed response: status, lower-cased header names, body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? { headers.first { $0.name == name.lowercased() }?.value }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Connects to 127.0.0.1:`port`. The connection may be accepted later by the server (a
    /// listen backlog accepts it in the kernel first), which the caller sees in its reads.
    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 || errno == EINPROGRESS else {
            let code = errno
            Glibc.close(fd)
            throw ConnectionError("connect: errno \(code)")
        }
    }

    deinit { Glibc.close(fd) }

    public func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends all of `text`, waiting while the socket is not writable.
    public func send(_ text: String, deadline: ContinuousClock.Instant = .now + .seconds(60)) async throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN {
                guard ContinuousClock.now < deadline else { throw ConnectionError("send: not writable before the deadline") }
                try await Task.sleep(for: .milliseconds(5))
            } else {
                throw ConnectionError("send: errno \(errno)")
            }
        }
    }

    /// Reads what is there; marks the connection closed on EOF or reset. Returns whether
    /// anything new arrived.
    @discardableResult
    func pump() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var any = false
        while !closed {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
                any = true
            } else if count == 0 {
                closed = true
            } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN {
                break
            } else {
                closed = true  // ECONNRESET and the like: the server is gone as well.
            }
        }
        return any
    }

    /// Everything received and not yet taken by `readResponse`.
    public var receivedBytes: [UInt8] {
        pump()
        return received
    }

    /// Whether response bytes have arrived (without waiting).
    public var hasReceivedData: Bool {
        pump()
        return !received.isEmpty
    }

    /// Waits until the server closes the connection (EOF or reset); false at the deadline.
    public func waitForClose(deadline: ContinuousClock.Instant) async throws -> Bool {
        while true {
            pump()
            if closed { return true }
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Whether the server has closed the connection, without waiting.
    public var isClosedByServer: Bool {
        pump()
        return closed
    }

    /// Waits for one whole response (Content-Length or chunked) and removes it from the input.
    public func readResponse(deadline: ContinuousClock.Instant = .now + .seconds(60)) async throws -> Response {
        while true {
            pump()
            if let (response, used) = Self.parse(received) {
                received.removeFirst(used)
                return response
            }
            if closed { throw ConnectionError("closed by the server before a whole response (\(received.count) bytes)") }
            guard ContinuousClock.now < deadline else { throw ConnectionError("no whole response before the deadline") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// A response at the start of `bytes` and its length, or nil when it is not complete yet.
    static func parse(_ bytes: [UInt8]) -> (Response, Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else { return nil }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = Response(status: status, headers: headers, body: [])
        var offset = end.upperBound
        if response.header("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                guard let lineEnd = bytes[offset...].firstRange(of: Array("\r\n".utf8)) else { return nil }
                let sizeText = String(decoding: bytes[offset..<lineEnd.lowerBound], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else { return nil }
                let dataStart = lineEnd.upperBound
                guard bytes.count >= dataStart + size + 2 else { return nil }
                if size == 0 { return (response, dataStart + 2) }
                response.body.append(contentsOf: bytes[dataStart..<(dataStart + size)])
                offset = dataStart + size + 2
            }
        }
        let length = Int(response.header("content-length") ?? "0") ?? 0
        guard bytes.count >= offset + length else { return nil }
        response.body = Array(bytes[offset..<(offset + length)])
        return (response, offset + length)
    }

    /// One request on a new connection that asks the server to close it afterwards.
    public static func request(
        port: Int, _ method: String, _ path: String, deadline: ContinuousClock.Instant = .now + .seconds(60)
    ) async throws -> Response {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        try await connection.send("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", deadline: deadline)
        return try await connection.readResponse(deadline: deadline)
    }
}
