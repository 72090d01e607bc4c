import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSCore
import ODCSStore
import ODCSTesting
import Testing

@testable import ODCSAPI

/// `GET /api/1/composes/` written chunk by chunk: the same bytes as rendering the whole page
/// at once, whatever the chunking, and a bounded page for the web view.
@Suite struct ComposeListStreamTests {
    /// Composes that make rendering interesting: escapes, non-ASCII, empty and long lists.
    func insertComposes(_ store: ComposeStore) async throws {
        let factory = ComposeFactory(client: store.client)
        for index in 0..<7 {
            try await factory.insert { compose in
                compose.owner = ["alice", "bob \"quoted\"", "zoë"][index % 3]
                compose.packages = index == 3 ? nil : String(repeating: "pkg-\(index)\\tä ", count: 200 * index + 1)
                compose.label = index == 5 ? "<label>\n" : nil
                compose.pungiConfigDump = "not in lists"
            }
        }
    }

    /// What the list answered before it streamed: every compose of a whole read rendered into
    /// one string, then the response's own `meta` (its URLs are tested elsewhere).
    func wholePageRendering(_ api: TestAPI, _ queryText: String, response: String) async throws -> String {
        let query = try ComposeListQuery(items: QueryString.items(queryText))
        let page = try await api.store.list(query)
        var body = "{\"items\":["
        for (offset, compose) in page.items.enumerated() {
            if offset > 0 { body += "," }
            api.configuration.renderer.render(compose, into: &body)
        }
        let meta = try #require(response.range(of: "],\"meta\":", options: .backwards))
        return body + response[meta.lowerBound...]
    }

    @Test func streamedListIsByteIdenticalToTheWholePageRendering() async throws {
        var configuration = TestAPI.configuration()
        // Two rows a statement: every page of more than two composes is streamed.
        configuration.listChunking = ComposeStore.ListChunking(maxBytes: 1 << 20, maxRows: 2)
        try await TestAPI.with(configuration: configuration) { api in
            try await insertComposes(api.store)
            try await api.live { client, _ in
                for query in ["", "per_page=1000", "per_page=3&page=2", "owner=alice", "order_by=owner", "per_page=2", "per_page=0"] {
                    let response = try await client.request(.get, "/api/1/composes/?" + query)
                    #expect(response.status == .ok, "\(query)")
                    #expect(response.headers[.contentType] == "application/json" && response.headers[.accessControlAllowOrigin] == "*")
                    let text = String(buffer: response.body)
                    #expect(text == (try await wholePageRendering(api, query, response: text)), "\(query)")
                    let items = try JSONValue.parse(Array(text.utf8))["items"]?.arrayValue?.count ?? -1
                    // A page of one chunk keeps its Content-Length; a longer one is chunked.
                    #expect((response.headers[.contentLength] != nil) == (items <= 2), "\(query)")
                }
            }
        }
    }

    @Test func streamedListOfLargeComposesMatchesWithByteBudgetedChunks() async throws {
        var configuration = TestAPI.configuration()
        configuration.listChunking = ComposeStore.ListChunking(maxBytes: 300_000, maxRows: 100)
        try await TestAPI.with(configuration: configuration) { api in
            let factory = ComposeFactory(client: api.store.client)
            let packages = (0..<20_000).map { "package-\($0)" }.joined(separator: " ")
            for _ in 0..<4 { try await factory.insert { $0.packages = packages } }
            try await api.live { client, _ in
                let response = try await client.request(.get, "/api/1/composes/?per_page=1000")
                let text = String(buffer: response.body)
                #expect(response.headers[.contentLength] == nil)
                #expect(text == (try await wholePageRendering(api, "per_page=1000", response: text)))
                #expect(try JSONValue.parse(Array(text.utf8))["items"]?.arrayValue?.count == 4)
            }
        }
    }

    @Test func aListWhoseReadFailsAfterItsStartEndsWithoutItsLastChunk() async throws {
        var configuration = TestAPI.configuration()
        configuration.listChunking = ComposeStore.ListChunking(maxBytes: 1 << 20, maxRows: 100)
        try await TestAPI.with(configuration: configuration) { api in
            let factory = ComposeFactory(client: api.store.client)
            // 30 composes of 1 MiB, one a chunk: more than loopback's socket buffers hold, so the
            // node is still reading chunks while this client does not read.
            let packages = String(repeating: "p", count: 1 << 20)
            for _ in 0..<30 { try await factory.insert { $0.packages = packages } }
            try await api.live { _, port in
                let connection = try RawHTTPConnection(port: port)
                defer { connection.close() }
                try await connection.send("GET /api/1/composes/?per_page=1000 HTTP/1.1\r\nHost: x\r\n\r\n")
                let deadline = ContinuousClock.now + .seconds(60)
                while connection.receivedBytes.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                try #require(!connection.receivedBytes.isEmpty)
                // The next chunk's statement fails.
                try await factory.execute("DROP TABLE composes CASCADE")
                #expect(try await connection.waitForClose(deadline: .now + .seconds(60)))
                let received = connection.receivedBytes
                #expect(String(decoding: received.prefix(15), as: UTF8.self) == "HTTP/1.1 200 OK")
                #expect(received.count < 30 << 20, "the whole page went out")
                #expect(!received.suffix(5).elementsEqual("0\r\n\r\n".utf8), "a cut body must not end like a complete one")
            }
        }
    }

    @Test func webListShowsCutSourcesAndNeverReadsPackages() async throws {
        var configuration = TestAPI.configuration()
        configuration.servedTargetDir = nil
        try await TestAPI.with(configuration: configuration) { api in
            let factory = ComposeFactory(client: api.store.client)
            let builds = (0..<500).map { "build-\($0)-1.0-1" }.joined(separator: " ")
            let compose = try await factory.insert(builds: builds) {
                $0.sourceType = .tag
                $0.source = String(repeating: "t", count: 300)
                $0.packages = "a-package-name-only-the-detail-page-shows"
            }
            try await api.test { client in
                let page = String(buffer: try await client.request(.get, "/").body)
                #expect(page.contains("<a href=\"/ui/composes/\(compose.id)\">"))
                #expect(page.contains(String(repeating: "t", count: 200) + "…</td>"))
                #expect(!page.contains(String(repeating: "t", count: 201)))
                #expect(!page.contains("a-package-name-only-the-detail-page-shows"))
            }
        }
    }
}
