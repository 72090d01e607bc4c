import Hummingbird
import HummingbirdTesting
import ODCSAPI
import ODCSTesting
import Testing

/// Requests that break HTTP/1.1 framing get a 4xx/5xx that says so, never a 500 and never
/// a route's answer (issue 14, item 7), over a real socket to the node's HTTP server.
@Suite struct MalformedRequestTests {
    func send(_ port: Int, _ request: String) async throws -> (RawHTTPConnection.Response, closed: Bool) {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        try await connection.send(request)
        let response = try await connection.readResponse()
        return (response, try await connection.waitForClose(deadline: .now + .seconds(60)))
    }

    @Test func transferEncodingThatIsNotChunkedIsRefusedBeforeAnyRoute() async throws {
        try await TestAPI.with { api in
            try await api.live { _, port in
                let cases: [(String, String, Int)] = [
                    ("POST", "xchunked", 400), ("GET", "xchunked", 400), ("POST", "chunked, identity", 400),
                    ("POST", "gzip, chunked", 501), ("GET", "gzip", 400),
                ]
                for (method, coding, status) in cases {
                    let (response, closed) = try await send(
                        port,
                        "\(method) /api/1/composes/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(coding)\r\n\r\n"
                            + "5\r\n{\"a\":\r\n0\r\n\r\n")
                    #expect(response.status == status, "\(method) \(coding)")
                    #expect(response.header("connection") == "close" && closed, "\(method) \(coding)")
                }
                #expect(try await api.composeCount() == 0)
            }
        }
    }

    @Test func aBrokenChunkedBodyIsABadRequest() async throws {
        try await TestAPI.with { api in
            try await api.live { _, port in
                let (response, closed) = try await send(
                    port, "POST /api/1/composes/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
                #expect(response.status == 400)
                #expect(closed)
                // A well-formed chunked body still works.
                let (valid, _) = try await send(
                    port,
                    "POST /api/1/composes/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                        + "2\r\n{}\r\n0\r\n\r\n")
                #expect(valid.status == 400 && valid.text.contains("\"status\":400"), "an empty request is the API's 400")
            }
        }
    }
}
