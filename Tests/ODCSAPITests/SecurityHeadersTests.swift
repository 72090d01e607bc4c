import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ODCSAPI
import ODCSCore
import ODCSTesting
import Testing

/// Every HTML page says what it may load and that it must not be framed or sniffed; no file
/// under `/composes/` is ever active content on the API's origin (issue 14, item 7).
@Suite struct SecurityHeadersTests {
    func withServedFiles<R: Sendable>(_ body: @Sendable @escaping (TestAPI, String) async throws -> R) async throws -> R {
        try await TemporaryDirectory.with { directory in
            var configuration = TestAPI.configuration(policy: RequestPolicy(defaultTargetDir: directory.string))
            configuration.servedTargetDir = directory.string
            return try await TestAPI.with(configuration: configuration) { api in try await body(api, directory.string) }
        }
    }

    func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: String(path[..<path.lastIndex(of: "/")!]), withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func everyHTMLPageCarriesTheSecurityHeadersAndAllowsOnlyItsOwnStyle() async throws {
        try await withServedFiles { api, root in
            let compose = try await ComposeFactory(client: api.store.client).insert()
            try write("1\n", root + "/odcs-\(compose.id)/COMPOSE_ID")
            try await api.test { client in
                let pages = [
                    "/", "/?state=nonsense", "/ui/nodes", "/ui/composes/\(compose.id)", "/ui/composes/999999", "/composes/",
                    "/composes/odcs-\(compose.id)/",
                ]
                for uri in pages {
                    let response = try await client.request(.get, uri)
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(uri)")
                    let policy = try #require(response.headers[.contentSecurityPolicy], "\(uri)")
                    let directives = Dictionary(
                        uniqueKeysWithValues: policy.split(separator: ";").map { directive in
                            let words = directive.split(separator: " ").map(String.init)
                            return (words[0], Array(words.dropFirst()))
                        })
                    #expect(directives["default-src"] == ["'none'"], "\(uri)")
                    #expect(directives["frame-ancestors"] == ["'none'"] && directives["form-action"] == ["'self'"])
                    #expect(directives["script-src"] == nil, "no script is allowed at all")
                    // The page's one <style> element is the one the policy's hash allows.
                    let page = String(buffer: response.body)
                    let style = try #require(
                        page.range(of: "<style>").flatMap { open in
                            page.range(of: "</style>", range: open.upperBound..<page.endIndex).map { page[open.upperBound..<$0.lowerBound] }
                        })
                    let hash = Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString()
                    #expect(directives["style-src"] == ["'sha256-\(hash)'"], "\(uri)")
                    #expect(!page.contains("style=\""), "inline style attributes would be blocked")
                }
            }
        }
    }

    @Test func filesAreSandboxedAndMarkupIsServedAsText() async throws {
        try await withServedFiles { api, root in
            let files: [(String, String)] = [
                ("page.html", "text/plain; charset=utf-8"), ("page.htm", "text/plain; charset=utf-8"),
                ("image.svg", "text/plain; charset=utf-8"), ("page.xhtml", "text/plain; charset=utf-8"),
                ("compose/repodata/repomd.xml", "application/xml"), ("logs/odcs.log", "text/plain; charset=utf-8"),
                ("compose/metadata/composeinfo.json", "application/json"), ("data.bin", "application/octet-stream"),
            ]
            for (name, _) in files { try write("<html><script>alert(1)</script></html>\n", root + "/odcs-1/" + name) }
            try await api.test { client in
                func expectSandboxed(_ response: TestResponse, _ uri: String) {
                    #expect(response.headers[.contentSecurityPolicy] == "default-src 'none'; sandbox", "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                }
                for (name, type) in files {
                    let uri = "/composes/odcs-1/" + name
                    let response = try await client.request(.get, uri)
                    #expect(response.status == .ok && response.headers[.contentType] == type, "\(uri)")
                    expectSandboxed(response, uri)
                    let head = try await client.request(.head, uri)
                    expectSandboxed(head, "HEAD \(uri)")
                }
                let uri = "/composes/odcs-1/page.html"
                let partial = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=0-5"])
                #expect(partial.status == .partialContent)
                expectSandboxed(partial, "range")
                let beyond = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=9999-"])
                #expect(beyond.status == .rangeNotSatisfiable)
                expectSandboxed(beyond, "unsatisfiable range")
                expectSandboxed(try await client.request(.get, "/composes/odcs-1/missing.html"), "missing")
            }
        }
    }

    /// A JSON answer is never sniffed as markup either (a label or a reason is the caller's text).
    @Test func everyJSONAnswerSaysNosniff() async throws {
        try await withServedFiles { api, _ in
            let compose = try await ComposeFactory(client: api.store.client).insert()
            try await api.test { client in
                for (method, uri) in [
                    (HTTPRequest.Method.get, "/api/1/composes/"), (.get, "/api/1/composes/\(compose.id)"), (.get, "/api/1/composes/999999"),
                    (.get, "/api/1/about/"), (.post, "/api/1/composes/"), (.get, "/api/1/composes/?owner=%00"),
                ] {
                    let response = try await client.request(method, uri)
                    #expect(response.headers[.contentType] == "application/json", "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                }
            }
        }
    }
}
