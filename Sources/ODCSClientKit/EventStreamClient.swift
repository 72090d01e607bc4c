import AsyncHTTPClient
import Foundation
import NIOCore

/// One server-sent event (`text/event-stream`).
public struct ServerSentEvent: Sendable, Equatable {
    public var id: String?
    public var event: String?
    public var data: String

    public init(id: String? = nil, event: String? = nil, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }
}

/// Reads `GET /api/1/events/` of a node: one connection, parsed into events as they arrive.
/// Resuming after a dropped connection is the caller's: pass the last event's id as
/// `lastEventID` to the next stream and nothing is lost (within `outbox_retention`).
///
///     for try await event in EventStreamClient(server: "http://odcs:5005", composeID: 42).events() { ... }
public struct EventStreamClient: Sendable {
    public var server: String
    public var composeID: Int64?
    public var lastEventID: String?
    public var httpClient: HTTPClient

    public init(server: String, composeID: Int64? = nil, lastEventID: String? = nil, httpClient: HTTPClient = .shared) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.composeID = composeID
        self.lastEventID = lastEventID
        self.httpClient = httpClient
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public func events() -> AsyncThrowingStream<ServerSentEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var url = server + "/api/1/events/"
                    if let composeID { url += "?compose_id=\(composeID)" }
                    var request = HTTPClientRequest(url: url)
                    request.headers.add(name: "Accept", value: "text/event-stream")
                    if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
                    let response = try await httpClient.execute(request, timeout: .hours(24 * 365))
                    guard response.status.code == 200 else {
                        let body = try? await response.body.collect(upTo: 64 << 10)
                        throw Failure(
                            description: "GET \(url) answered HTTP \(response.status.code): \(body.map { String(buffer: $0) } ?? "")")
                    }
                    var parser = ServerSentEventParser()
                    for try await buffer in response.body {
                        for event in parser.feed(String(buffer: buffer)) { continuation.yield(event) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// The text/event-stream format: `field: value` lines, an empty line ends an event, lines
/// starting with `:` are comments.
public struct ServerSentEventParser: Sendable {
    var pending = ""
    var current = ServerSentEvent(data: "")
    var hasData = false

    public init() {}

    public mutating func feed(_ text: String) -> [ServerSentEvent] {
        pending += text
        var events: [ServerSentEvent] = []
        while let newline = pending.firstIndex(of: "\n") {
            var line = String(pending[..<newline])
            pending.removeSubrange(...newline)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty {
                if hasData { events.append(current) }
                current = ServerSentEvent(data: "")
                hasData = false
                continue
            }
            if line.hasPrefix(":") { continue }
            let field: Substring
            var value: Substring
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                value = line[line.index(after: colon)...]
                if value.hasPrefix(" ") { value = value.dropFirst() }
            } else {
                field = Substring(line)
                value = ""
            }
            switch field {
            case "id": current.id = String(value)
            case "event": current.event = String(value)
            case "data":
                current.data += hasData ? "\n" + value : String(value)
                hasData = true
            default: break
            }
        }
        return events
    }
}
