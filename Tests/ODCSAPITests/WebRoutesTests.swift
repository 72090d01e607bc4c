import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSAPI
import ODCSCore
import ODCSStore
import ODCSTesting
import Testing

@Suite struct WebRoutesTests {
    /// A node's API over a fresh schema whose default target dir is `directory`, served at `/composes/`.
    func withAPI<R: Sendable>(targetDir directory: String = "/srv/odcs", _ body: @Sendable (TestAPI) async throws -> R) async throws -> R {
        var configuration = TestAPI.configuration(policy: RequestPolicy(defaultTargetDir: directory))
        configuration.servedTargetDir = directory
        return try await TestAPI.with(configuration: configuration, body)
    }

    func html(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func pagesAnswerOptionsAndRefuseOtherMethods() async throws {
        try await withAPI { api in
            let compose = try await ComposeFactory(client: api.store.client).insert()
            try await api.test { client in
                for uri in ["/", "/ui/nodes", "/ui/composes/\(compose.id)", "/composes/", "/composes/odcs-1/"] {
                    let options = try await client.request(.options, uri)
                    #expect(options.status == .ok && options.headers[.allow] == "GET, HEAD, OPTIONS", "\(uri)")
                    let post = try await client.request(.post, uri)
                    #expect(post.status == .methodNotAllowed && post.headers[.allow] == "GET, HEAD, OPTIONS", "\(uri)")
                }
            }
        }
    }

    @Test func listEscapesOwnerAndSourceOfStoredComposes() async throws {
        try await withAPI { api in
            let factory = ComposeFactory(client: api.store.client)
            let compose = try await factory.insert {
                $0.owner = "<script>alert('owner')</script>"
                $0.sourceType = .tag
                $0.source = "f40\"><script>alert(1)</script>"
                $0.builds = nil
            }
            try await api.test { client in
                for uri in ["/", "/ui/composes/\(compose.id)"] {
                    let response = try await client.request(.get, uri)
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    let page = html(response)
                    #expect(!page.contains("<script"), "\(uri) must not contain unescaped markup")
                    #expect(page.contains("&lt;script&gt;alert(&#39;owner&#39;)&lt;/script&gt;"), "\(uri)")
                    #expect(page.contains("f40&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "\(uri)")
                }
                // A filter value comes back escaped in the form too.
                let filtered = html(try await client.request(.get, "/?owner=%22%3E%3Cscript%3Ex%3C%2Fscript%3E"))
                #expect(!filtered.contains("<script"))
                #expect(filtered.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""))
            }
        }
    }

    @Test func listFiltersByStateOwnerAndSourceTypeAndPages() async throws {
        try await withAPI { api in
            let factory = ComposeFactory(client: api.store.client)
            let first = try await factory.insert { $0.owner = "alice" }
            let second = try await factory.insert {
                $0.owner = "bob"
                $0.sourceType = .tag
                $0.source = "f40-build"
                $0.builds = nil
            }
            let third = try await factory.insert { $0.owner = "alice" }
            try await factory.execute("UPDATE composes SET state = 4, state_reason = 'broken' WHERE id = \(third.id)")
            try await api.test { client in
                func ids(_ uri: String) async throws -> [Int64] {
                    let page = html(try await client.request(.get, uri))
                    return [first.id, second.id, third.id].filter { page.contains("<a href=\"/ui/composes/\($0)\">") }
                }
                #expect(try await ids("/") == [first.id, second.id, third.id])
                #expect(try await ids("/?owner=alice") == [first.id, third.id])
                #expect(try await ids("/?state=failed") == [third.id])
                #expect(try await ids("/?state=4") == [third.id])
                #expect(try await ids("/?source_type=tag") == [second.id])
                #expect(try await ids("/?owner=alice&state=wait") == [first.id])
                // Newest first, one per page: page 2 is the second newest, with links both ways.
                let page = html(try await client.request(.get, "/?per_page=1&page=2"))
                #expect(page.contains("<a href=\"/ui/composes/\(second.id)\">"))
                #expect(!page.contains("<a href=\"/ui/composes/\(third.id)\">"))
                #expect(page.contains("3 composes, page 2 of 3"))
                #expect(page.contains("<a href=\"/?page=1&amp;per_page=1\">Previous</a>"))
                #expect(page.contains("<a href=\"/?page=3&amp;per_page=1\">Next</a>"))
                #expect(page.contains("<meta http-equiv=\"refresh\" content=\"10\">"))
                let bad = try await client.request(.get, "/?state=sleeping")
                #expect(bad.status == .badRequest)
                #expect(html(bad).contains("state must be the number of a state"))
            }
        }
    }

    @Test func detailLinksTheComposeDirectoryItsLogsAndTheAPI() async throws {
        try await TemporaryDirectory.with { directory in
            try await withAPI(targetDir: directory.string) { api in
                let factory = ComposeFactory(client: api.store.client)
                let compose = try await factory.insert()
                let waiting = try await factory.insert()
                try await factory.execute("UPDATE composes SET state = 2 WHERE id = \(compose.id)")
                let top = directory.string + "/odcs-\(compose.id)"
                try FileManager.default.createDirectory(atPath: top + "/logs/global", withIntermediateDirectories: true)
                try FileManager.default.createDirectory(atPath: top + "/compose/Temporary", withIntermediateDirectories: true)
                try "step\n".write(toFile: top + "/logs/global/odcs.global.log", atomically: true, encoding: .utf8)
                try "x\n".write(toFile: top + "/logs/global/notes.txt", atomically: true, encoding: .utf8)
                try await api.test { client in
                    let done = html(try await client.request(.get, "/ui/composes/\(compose.id)"))
                    #expect(done.contains("<a href=\"/api/1/composes/\(compose.id)\">"))
                    #expect(done.contains("<a href=\"/composes/odcs-\(compose.id)/\">"))
                    #expect(done.contains("<a href=\"/composes/odcs-\(compose.id)/logs/global/odcs.global.log\">"))
                    #expect(!done.contains("notes.txt"))
                    #expect(done.contains("<a href=\"http://localhost/odcs/odcs-\(compose.id)/compose/Temporary/\">"))
                    #expect(done.contains("<meta http-equiv=\"refresh\" content=\"60\">"))
                    // A waiting compose has no directory yet: only its JSON link, and a faster refresh.
                    let wait = html(try await client.request(.get, "/ui/composes/\(waiting.id)"))
                    #expect(wait.contains("<a href=\"/api/1/composes/\(waiting.id)\">"))
                    #expect(!wait.contains("/composes/odcs-\(waiting.id)"))
                    #expect(wait.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
                    for uri in ["/ui/composes/999999", "/ui/composes/abc"] {
                        let missing = try await client.request(.get, uri)
                        #expect(missing.status == .notFound, "\(uri)")
                        #expect(missing.headers[.contentType] == "text/html; charset=utf-8")
                    }
                }
            }
        }
    }

    @Test func nodesPageShowsNodesAndDutyLeaders() async throws {
        try await withAPI { api in
            let registry = NodeRegistry(client: api.store.client, logger: TestDatabase.logger)
            try await registry.register(id: "node-<a>", host: "host-a", version: "0.9.2+swift.0.1.0", workers: 2)
            try await api.store.client.query(
                "INSERT INTO leader (duty, term, holder) VALUES ('lease_rescue', 4, 'node-<a>')", logger: TestDatabase.logger)
            try await api.test { client in
                let response = try await client.request(.get, "/ui/nodes")
                #expect(response.status == .ok)
                let page = html(response)
                #expect(page.contains("<td>node-&lt;a&gt;</td><td>host-a</td><td>running</td><td>yes</td><td>2</td>"))
                #expect(page.contains("<td>lease_rescue</td><td>node-&lt;a&gt;</td><td>4</td>"))
            }
        }
    }
}
