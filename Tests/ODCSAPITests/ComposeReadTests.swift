import Hummingbird
import HummingbirdTesting
import ODCSCore
import ODCSTesting
import Testing

@Suite struct ComposeReadTests {
    func create(_ client: some TestClientProtocol, _ body: String) async throws -> Int {
        try #require(try await client.request(.post, "/api/1/composes/", body: body).json["id"]?.int)
    }

    @Test func detailHasConfigDumpAndCORS() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let id = try await create(client, #"{"source":{"type":"tag","source":"f26"}}"#)
                let response = try await client.request(.get, "/api/1/composes/\(id)")
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                let object = try #require(try response.json.objectValue)
                #expect(object.keys.count == 43)
                #expect(object["pungi_config_dump"] == .null)
                let list = try await client.request(.get, "/api/1/composes/").json
                #expect(list["items"]?.arrayValue?.first?["pungi_config_dump"] == nil)
            }
        }
    }

    /// Identical concurrent lists share reads (docs/api-reads.md); each still answers exactly
    /// what a lone request answers, and sees every compose committed before it was sent.
    @Test func concurrentListsAnswerAsALoneOneAndSeeEveryEarlierCommit() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                for n in 1...3 { _ = try await create(client, #"{"source":{"type":"tag","source":"t\#(n)"}}"#) }
                let uri = "/api/1/composes/?state=0&per_page=50"
                let lone = try await client.request(.get, uri)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            let response = try await client.request(.get, uri)
                            #expect(response.status == .ok)
                            #expect(response.body == lone.body)
                        }
                    }
                    try await group.waitForAll()
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for n in 0..<20 {
                        group.addTask {
                            let id = try await create(client, #"{"source":{"type":"tag","source":"fresh\#(n)"}}"#)
                            let ids = try await client.request(.get, uri).json["items"]?.arrayValue?.compactMap { $0["id"]?.int } ?? []
                            #expect(ids.contains(id), "compose \(id) missing from a list sent after its POST was answered")
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    /// A compose's JSON is kept per version of its row; a change shows in the next GET.
    @Test func aGetAfterAChangeShowsTheChange() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let id = try await create(client, #"{"source":{"type":"tag","source":"f26"}}"#)
                #expect(try await client.request(.get, "/api/1/composes/\(id)").json["state_name"] == "wait")
                #expect(try await client.request(.get, "/api/1/composes/\(id)").json["state_name"] == "wait")
                #expect(try await client.request(.delete, "/api/1/composes/\(id)").status == .accepted)
                let after = try await client.request(.get, "/api/1/composes/\(id)").json
                #expect(after["state_name"] == "failed")
                #expect(after["state_reason"] == "Canceled by anonymous")
            }
        }
    }

    @Test func unknownComposesAndRoutesAnswer404() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let missing = try await client.request(.get, "/api/1/composes/999")
                #expect(missing.status == .notFound)
                #expect(try missing.json["message"] == "No such compose found.")
                for uri in ["/api/1/composes/abc", "/api/1/composes/-1", "/api/1/nope", "/api/1/composes/99999999999999999999"] {
                    let response = try await client.request(.get, uri)
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(try response.json["error"] == "Not Found")
                }
            }
        }
    }

    @Test func wrongMethodAnswers405WithAllow() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let response = try await client.request(.put, "/api/1/composes/1", body: "{}")
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "DELETE, GET, HEAD, OPTIONS, PATCH")
                #expect(try response.json["status"]?.int == 405)
                let options = try await client.request(.options, "/api/1/composes/")
                #expect(options.status == .ok)
                #expect(options.headers[.allow] == "GET, HEAD, OPTIONS, POST")
            }
        }
    }

    @Test func paginatesWithAbsoluteURLsInRequestOrder() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                for n in 1...5 { _ = try await create(client, #"{"source":{"type":"tag","source":"t\#(n)"}}"#) }
                let json = try await client.execute(
                    uri: "/api/1/composes/?page=2&per_page=2&owner=unknown&foo=bar&_x=1", method: .get,
                    headers: [.init("X-Forwarded-Host")!: "odcs.example.com", .init("X-Scheme")!: "https"]
                ).json
                let meta = try #require(json["meta"])
                #expect(meta["page"] == 2 && meta["pages"] == 3 && meta["per_page"] == 2 && meta["total"] == 5)
                let base = "https://odcs.example.com/api/1/composes/?page="
                #expect(meta["first"] == .string(base + "1&per_page=2&owner=unknown&foo=bar"))
                #expect(meta["last"] == .string(base + "3&per_page=2&owner=unknown&foo=bar"))
                #expect(meta["prev"] == .string(base + "1&per_page=2&owner=unknown&foo=bar"))
                #expect(meta["next"] == .string(base + "3&per_page=2&owner=unknown&foo=bar"))
                let sources = json["items"]?.arrayValue?.compactMap { $0["source"]?.stringValue }
                #expect(sources == ["t3", "t2"])

                let beyond = try await client.request(.get, "/api/1/composes/?page=99").json
                #expect(beyond["items"] == [] && beyond["meta"]?["next"] == .null)
                #expect(beyond["meta"]?["prev"]?.stringValue?.contains("page=98") == true)
                let zero = try await client.request(.get, "/api/1/composes/?per_page=0").json
                #expect(zero["items"] == [] && zero["meta"]?["pages"] == 0)
            }
        }
    }

    @Test func filtersAndOrders() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                _ = try await create(client, #"{"source":{"type":"tag","source":"f26"},"label":"Beta-1.0"}"#)
                let second = try await create(client, #"{"source":{"type":"repo","source":"/srv/r"},"compose_type":"nightly"}"#)
                _ = try await create(client, #"{"source":{"type":"tag","source":"f27"}}"#)
                try await client.request(.delete, "/api/1/composes/\(second)")

                func ids(_ query: String) async throws -> [Int] {
                    try await client.request(.get, "/api/1/composes/?\(query)").json["items"]?.arrayValue?.compactMap { $0["id"]?.int }
                        ?? []
                }
                #expect(try await ids("source_type=1").count == 2)
                #expect(try await ids("source=f27").count == 1)
                #expect(try await ids("state=4") == [second])
                #expect(try await ids("label=Beta-1.0").count == 1)
                #expect(try await ids("compose_type=nightly") == [second])
                #expect(try await ids("owner=nobody") == [])
                let ascending = try await ids("order_by=id")
                #expect(ascending == ascending.sorted())
                #expect(try await ids("order_by=-source_type").first != nil)
                // Filter values are binds, never SQL.
                #expect(try await ids("source=x'%20OR%20'1'='1") == [])

                for (query, fragment) in [
                    ("state=wait", "state must be"), ("order_by=foo", "An invalid order_by key was suplied"),
                    ("order_by=", "An invalid order_by key was suplied"),
                ] {
                    let response = try await client.request(.get, "/api/1/composes/?\(query)")
                    #expect(response.status == .badRequest)
                    #expect(try response.json["message"]?.stringValue?.contains(fragment) == true)
                }
            }
        }
    }

    /// A source far longer than a btree entry may be (about 2,700 bytes) is stored and found
    /// by its whole value: the index keeps its first 256 characters (migration 8).
    @Test func aSourceLongerThanAnIndexEntryIsStoredAndFilteredByItsWholeValue() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let modules = (0..<300).map { "module\($0):stream:20260101:c0ffee00" }
                #expect(modules.joined(separator: " ").utf8.count > 10_000)
                func body(_ nsvcs: [String]) -> String { #"{"source":{"type":"module","source":"\#(nsvcs.joined(separator: " "))"}}"# }
                let id = try await create(client, body(modules))
                // Another, equal but for its end: the same first 256 characters.
                let other = try await create(client, body(modules.dropLast() + ["module299:stream:20260101:c0ffee01"]))
                let stored = try #require(try await client.request(.get, "/api/1/composes/\(id)").json["source"]?.stringValue)
                #expect(stored.split(separator: " ").count == 300)
                func ids(_ source: String) async throws -> [Int] {
                    let query = source.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    return try await client.request(.get, "/api/1/composes/?source=\(query)").json["items"]?.arrayValue?
                        .compactMap { $0["id"]?.int } ?? []
                }
                #expect(try await ids(stored) == [id])
                #expect(try await ids(String(stored.dropLast())) == [])
                // Around the index's 256 characters: no prefix of a longer source matches it.
                for length in [255, 256, 257] { #expect(try await ids(String(stored.prefix(length))) == [], "\(length)") }
                let short = try await create(client, body([modules[0]]))
                #expect(try await ids(modules[0]) == [short])
                #expect(
                    try await ids(try #require(try await client.request(.get, "/api/1/composes/\(other)").json["source"]?.stringValue)) == [
                        other
                    ])
            }
        }
    }

    @Test func aboutReportsConfiguration() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                for uri in ["/api/1/about/", "/api/1/about"] {
                    let json = try await client.request(.get, uri).json
                    #expect(
                        json.objectValue?.keys.sorted() == ["allowed_clients", "auth_backend", "raw_config_urls", "sigkeys", "version"])
                    #expect(json["auth_backend"] == "noauth")
                    #expect(json["allowed_clients"] == ["groups": [:], "users": [:]])
                }
            }
        }
    }

    @Test func metricsCountComposesByTypeAndState() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                _ = try await create(client, #"{"source":{"type":"tag","source":"f26"}}"#)
                let response = try await client.request(.get, "/api/1/metrics/")
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"composes_total{source_type="tag",state="wait"} 1.0"#))
                #expect(text.contains(#"composes_total{source_type="pulp",state="done"} 0.0"#))
            }
        }
    }

    @Test func healthAndReadiness() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let health = try await client.request(.get, "/healthz")
                let ready = try await client.request(.get, "/readyz")
                #expect(health.status == .ok && ready.status == .ok)
            }
        }
    }
}
