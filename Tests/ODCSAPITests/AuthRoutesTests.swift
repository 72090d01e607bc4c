import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ODCSAPI
import ODCSAuth
import ODCSCore
@_spi(Testing) import ODCSStore
import ODCSTesting
import Testing

/// The mutating routes with real authentication: OIDC tokens from a local provider, proxy
/// headers over a real socket. Every refusal is checked to have changed nothing.
@Suite struct AuthRoutesTests {
    static let tag = #"{"source":{"type":"tag","source":"f26"}}"#
    static let clients: JSONValue = ["users": ["alice": [:], "bob": [:]], "groups": ["packagers": [:]]]

    @Test func tokenUserOwnsTheComposeAndTheOwnerFilterFindsIt() async throws {
        try await OIDCRig.with(allowedClients: Self.clients) { rig in
            try await rig.test { client in
                let alice = try await rig.token("alice")
                let gina = try await rig.token("gina", groups: ["packagers"])
                let created = try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: alice)
                #expect(created.status == .ok)
                #expect(try created.json["owner"] == "alice")
                #expect(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: gina).json["owner"] == "gina")
                let mine = try await client.request(.get, "/api/1/composes/?owner=alice").json
                #expect(mine["meta"]?["total"] == 1)
                #expect(mine["items"]?.arrayValue?.first?["owner"] == "alice")
                #expect(try await client.request(.get, "/api/1/composes/?owner=gina").json["meta"]?["total"] == 1)
            }
        }
    }

    @Test func badTokensAre401AndChangeNothing() async throws {
        try await OIDCRig.with(allowedClients: Self.clients) { rig in
            let provider = rig.provider
            let expired = try await rig.key.sign(provider.claims(sub: "alice", expiresIn: -600, notBeforeIn: -1200))
            let early = try await rig.key.sign(provider.claims(sub: "alice", notBeforeIn: 600))
            var foreign = provider.claims(sub: "alice")
            foreign["iss"] = "https://login.example.org"
            let impostor = try await TestSigningKey.make(.rsa, kid: "rig-rsa")
            let none =
                TestSigningKey.base64URL(Data(#"{"alg":"none"}"#.utf8)) + "."
                + TestSigningKey.base64URL(Data(JSONValue.object(provider.claims(sub: "root")).serialized().utf8)) + "."
            let good = try await rig.token("alice")
            var parts = good.split(separator: ".").map(String.init)
            parts[1] = TestSigningKey.base64URL(Data(JSONValue.object(provider.claims(sub: "root")).serialized().utf8))
            let cases: [(String, String)] = [
                (expired, "Invalid token passed to ODCS: it has expired."),
                (early, "Invalid token passed to ODCS: it is not valid yet."),
                (try await rig.key.sign(foreign), "Invalid token passed to ODCS: it was issued by another issuer."),
                (
                    try await rig.key.sign(provider.claims(sub: "alice", audience: "koji")),
                    "Invalid token passed to ODCS: it is meant for another audience."
                ),
                (try await impostor.sign(provider.claims(sub: "alice")), "Invalid token passed to ODCS: its signature does not verify."),
                (none, "Invalid token passed to ODCS: its algorithm none is not accepted."),
                (parts.joined(separator: "."), "Invalid token passed to ODCS: its signature does not verify."),
            ]
            try await rig.test { client in
                let id = try #require(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: good).json["id"]?.int)
                let before = try await rig.api.digest()
                for (token, message) in cases {
                    for (method, uri) in [
                        (HTTPRequest.Method.post, "/api/1/composes/"), (.patch, "/api/1/composes/\(id)"),
                        (.delete, "/api/1/composes/\(id)"),
                    ] {
                        let response = try await client.request(method, uri, body: method == .post ? Self.tag : nil, bearer: token)
                        #expect(response.status == .unauthorized, "\(method) \(message)")
                        #expect(response.message == message)
                        #expect(response.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
                        #expect(try response.json["error"] == "Unauthorized" && response.json["status"] == 401)
                    }
                }
                let anonymous = try await client.request(.post, "/api/1/composes/", body: Self.tag)
                #expect(anonymous.status == .unauthorized && anonymous.message == "Missing token passed to ODCS.")
                #expect(try await rig.api.digest() == before)
                // Reading needs no token, as upstream.
                #expect(try await client.request(.get, "/api/1/composes/\(id)").status == .ok)
            }
        }
    }

    @Test func missingEndpointScopeIs403() async throws {
        try await OIDCRig.with(allowedClients: Self.clients) { rig in
            try await rig.test { client in
                let full = try await rig.token("alice")
                let id = try #require(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: full).json["id"]?.int)
                let before = try await rig.api.digest()
                let readOnly = try await rig.token("alice", scopes: [])
                for (method, uri, scope) in [
                    (HTTPRequest.Method.post, "/api/1/composes/", "new-compose"), (.patch, "/api/1/composes/\(id)", "renew-compose"),
                    (.delete, "/api/1/composes/\(id)", "delete-compose"),
                ] {
                    let response = try await client.request(method, uri, body: method == .post ? Self.tag : nil, bearer: readOnly)
                    #expect(response.status == .forbidden)
                    #expect(response.message == "Request does not have required scope \(scope)")
                }
                #expect(try await rig.api.digest() == before)
            }
        }
    }

    @Test func ownerCancelsOwnWaitingComposeAndStrangerCannot() async throws {
        try await OIDCRig.with(allowedClients: Self.clients) { rig in
            try await rig.test { client in
                let alice = try await rig.token("alice")
                let bob = try await rig.token("bob")
                let id = try #require(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: alice).json["id"]?.int)
                let before = try await rig.api.digest()
                let stranger = try await client.request(.delete, "/api/1/composes/\(id)", bearer: bob)
                #expect(stranger.status == .forbidden)
                #expect(stranger.message == "Compose (id=%s) can not be canceled, it's owned by someone else.")
                #expect(try await rig.api.digest() == before)

                let owner = try await client.request(.delete, "/api/1/composes/\(id)", bearer: alice)
                #expect(owner.status == .accepted)
                #expect(owner.message == "Compose (id=\(id)) has been canceled")
                let stored = try #require(try await rig.api.store.compose(id: Int64(id)))
                #expect(stored.state == .failed && stored.stateReason == "Canceled by alice")
            }
        }
    }

    @Test func onlyAdminsDeleteFinishedComposes() async throws {
        try await OIDCRig.with(allowedClients: Self.clients) { rig in
            try await rig.test { client in
                let alice = try await rig.token("alice")
                let ids = [
                    try #require(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: alice).json["id"]?.int),
                    try #require(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: alice).json["id"]?.int),
                    try #require(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: alice).json["id"]?.int),
                ]
                for id in ids { try await rig.api.store.overwriteState(id: Int64(id), state: .done) }
                let before = try await rig.api.digest()
                // Not even the owner: upstream's role check for removal.
                let owner = try await client.request(.delete, "/api/1/composes/\(ids[0])", bearer: alice)
                #expect(owner.status == .forbidden && owner.message == "User alice is not in role admins.")
                #expect(try await rig.api.digest() == before)

                // An admin by name (not in allowed_clients) and one by group.
                let root = try await rig.token("root")
                let groupAdmin = try await rig.token("erin", groups: ["odcs-admins"])
                #expect(try await client.request(.delete, "/api/1/composes/\(ids[0])", bearer: root).status == .accepted)
                #expect(try await client.request(.delete, "/api/1/composes/\(ids[1])", bearer: groupAdmin).status == .accepted)
                #expect(try await rig.api.store.compose(id: Int64(ids[0]))?.removedBy == "root")
                #expect(try await rig.api.store.compose(id: Int64(ids[1]))?.removedBy == "erin")
                // An admin also cancels anybody's waiting compose.
                let waiting = try #require(
                    try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: alice).json["id"]?.int)
                #expect(try await client.request(.delete, "/api/1/composes/\(waiting)", bearer: root).status == .accepted)
                #expect(try await rig.api.store.compose(id: Int64(waiting))?.stateReason == "Canceled by root")
            }
        }
    }

    @Test func renewIsForAllowedClientsAndOwnsTheCopy() async throws {
        try await OIDCRig.with(allowedClients: ["users": ["alice": [:], "bob": ["arches": ["aarch64"]]]]) { rig in
            try await rig.test { client in
                let alice = try await rig.token("alice")
                let id = try #require(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: alice).json["id"]?.int)
                try await rig.api.store.overwriteState(id: Int64(id), state: .removed)
                let before = try await rig.api.digest()
                let stranger = try await client.request(.patch, "/api/1/composes/\(id)", bearer: try await rig.token("mallory"))
                #expect(stranger.status == .forbidden && stranger.message == "User mallory is not in role allowed_clients.")
                let limited = try await client.request(.patch, "/api/1/composes/\(id)", bearer: try await rig.token("bob"))
                #expect(limited.status == .forbidden)
                #expect(limited.message == "User bob not allowed to operate with compose with arches=x86_64.")
                #expect(try await rig.api.digest() == before)
                // An admin outside allowed_clients may renew (upstream would refuse, appendix B 11).
                let copy = try await client.request(.patch, "/api/1/composes/\(id)", bearer: try await rig.token("root"))
                #expect(copy.status == .ok)
                #expect(try copy.json["owner"] == "root" && copy.json["id"]?.int != id)
            }
        }
    }

    @Test func proxyHeadersCountOnlyFromTrustedAddresses() async throws {
        for (trusted, accepted) in [("10.0.0.0/8", false), ("127.0.0.0/8", true), ("::1", false)] {
            let proxy = ProxyAuthenticator(
                configuration: .init(groupsHeader: "X-Remote-Groups", trustedProxies: [IPAddressRange(trusted)!]))
            let configuration = TestAPI.configuration(
                authBackend: "proxy", authenticator: proxy, proxy: proxy,
                access: AccessPolicy(
                    allowedClients: try AllowedClients(parsing: ["groups": ["packagers": [:]]]), defaultTargetDir: "/srv/odcs"))
            try await TestAPI.with(configuration: configuration) { api in
                let app = Application(router: api.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                try await app.test(.live) { client in
                    let before = try await api.digest()
                    let response = try await client.execute(
                        uri: "/api/1/composes/", method: .post,
                        headers: [.init("X-Remote-User")!: "alice@EXAMPLE.COM", .init("X-Remote-Groups")!: "packagers"],
                        body: ByteBuffer(string: Self.tag))
                    if accepted {
                        #expect(response.status == .ok, "trusting \(trusted)")
                        #expect(try response.json["owner"] == "alice")
                    } else {
                        #expect(response.status == .unauthorized, "trusting \(trusted)")
                        #expect(response.message == "REMOTE_USER is not present in request.")
                        #expect(try await api.digest() == before)
                    }
                }
            }
        }
    }

    @Test func untrustedPeersLoseTheProxyHeadersBeforeAnyRoute() async throws {
        // The authenticator here would believe the loopback; the filter, configured with
        // another trusted range, strips the headers first, so the route never sees them.
        let believer = ProxyAuthenticator(configuration: .init(trustedProxies: [IPAddressRange("127.0.0.0/8")!]))
        let filter = ProxyAuthenticator(configuration: .init(trustedProxies: [IPAddressRange("10.0.0.0/8")!]))
        let configuration = TestAPI.configuration(authBackend: "proxy", authenticator: believer, proxy: filter)
        try await TestAPI.with(configuration: configuration) { api in
            let app = Application(router: api.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.live) { client in
                let response = try await client.execute(
                    uri: "/api/1/composes/", method: .post, headers: [.init("x-remote-user")!: "root"], body: ByteBuffer(string: Self.tag))
                #expect(response.status == .unauthorized && response.message == "REMOTE_USER is not present in request.")
                #expect(try await api.composeCount() == 0)
            }
        }
    }

    @Test func endpointScopesUseTheConfiguredNamespace() async throws {
        try await OIDCRig.with(allowedClients: Self.clients, scopeNamespace: "https://odcs.example.com/scope/") { rig in
            try await rig.test { client in
                let upstreamNamespace = try await rig.token("alice")
                let refused = try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: upstreamNamespace)
                #expect(refused.status == .forbidden && refused.message == "Request does not have required scope new-compose")
                let ours = try await rig.token("alice", namespace: "https://odcs.example.com/scope/")
                #expect(try await client.request(.post, "/api/1/composes/", body: Self.tag, bearer: ours).status == .ok)
            }
        }
    }
}
