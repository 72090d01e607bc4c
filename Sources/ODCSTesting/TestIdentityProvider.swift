import Foundation
import Hummingbird
import Logging
import NIOCore
import ODCSCore

/// An OpenID Connect provider for tests, on 127.0.0.1 and an ephemeral port for the duration
/// of `serving`'s body: the discovery document, a JWKS of the keys it publishes, an RFC 7662
/// introspection endpoint (HTTP Basic client credentials) for the opaque tokens it is told
/// about, and a userinfo endpoint. It counts the JWKS fetches.
///
///     let key = try await TestSigningKey.make(.rsa, kid: "rsa-1")
///     try await TestIdentityProvider.serving(keys: [key]) { provider in
///         let token = try await key.sign(provider.claims(sub: "alice"))
///     }
public struct TestIdentityProvider: Sendable {
    public let issuer: String
    public let clientID: String
    public let clientSecret: String
    let state: State

    public var jwksURL: String { issuer + "/jwks" }
    public var introspectionURL: String { issuer + "/introspect" }
    public var userinfoURL: String { issuer + "/userinfo" }

    actor State {
        var issuer = ""
        var keys: [JSONValue]
        var jwksFetches = 0
        var opaque: [String: JSONValue] = [:]
        var userinfo: [String: JSONValue] = [:]
        var introspectionCalls = 0

        init(keys: [JSONValue]) { self.keys = keys }

        func setIssuer(_ value: String) { issuer = value }
        func publish(_ value: [JSONValue]) { keys = value }
        func fetchJWKS() -> JSONValue {
            jwksFetches += 1
            return ["keys": .array(keys)]
        }
        func register(_ token: String, _ claims: JSONValue) { opaque[token] = claims }
        func introspect(_ token: String) -> JSONValue {
            introspectionCalls += 1
            return opaque[token] ?? ["active": false]
        }
        func setUserinfo(_ token: String, _ document: JSONValue) { userinfo[token] = document }
        func userinfo(for token: String) -> JSONValue? { userinfo[token] }
    }

    public static func serving<R: Sendable>(
        keys: [TestSigningKey], clientID: String = "odcs-test", clientSecret: String = "introspection-s3cret",
        _ body: @Sendable (TestIdentityProvider) async throws -> R
    ) async throws -> R {
        let state = State(keys: keys.map(\.publicJWK))
        let router = Router()
        router.get("/.well-known/openid-configuration") { _, _ in
            let issuer = await state.issuer
            return json([
                "issuer": .string(issuer), "jwks_uri": .string(issuer + "/jwks"), "introspection_endpoint": .string(issuer + "/introspect"),
                "userinfo_endpoint": .string(issuer + "/userinfo"), "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            ])
        }
        router.get("/jwks") { _, _ in json(await state.fetchJWKS()) }
        router.post("/introspect") { request, _ in
            let expected = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else {
                return json(["error": "invalid_client"], status: .unauthorized)
            }
            let form = try await request.body.collect(upTo: 1 << 16)
            let fields = String(buffer: form).split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
            let token = fields.first { $0.first == "token" && $0.count == 2 }?[1].removingPercentEncoding ?? ""
            return json(await state.introspect(token))
        }
        router.get("/userinfo") { request, _ in
            let token = request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? ""
            guard let document = await state.userinfo(for: token) else { return json(["error": "invalid_token"], status: .unauthorized) }
            return json(document)
        }

        return try await StaticFileServer.serving(router, label: "test-identity-provider") { port in
            let issuer = "http://127.0.0.1:\(port)"
            await state.setIssuer(issuer)
            return try await body(TestIdentityProvider(issuer: issuer, clientID: clientID, clientSecret: clientSecret, state: state))
        }
    }

    /// Replaces the published keys (a key rotation).
    public func publish(_ keys: [TestSigningKey]) async { await state.publish(keys.map(\.publicJWK)) }

    public var jwksFetches: Int { get async { await state.jwksFetches } }
    public var introspectionCalls: Int { get async { await state.introspectionCalls } }

    /// Makes `token` an opaque token the introspection endpoint answers for with `claims`
    /// (which should include `"active": true`).
    public func registerOpaqueToken(_ token: String, claims: JSONValue) async { await state.register(token, claims) }

    /// What the userinfo endpoint answers for `token`.
    public func setUserinfo(for token: String, _ document: JSONValue) async { await state.setUserinfo(token, document) }

    /// The claims of a good access token of this issuer: `aud` odcs, valid from a minute ago
    /// for five minutes, with the three ODCS scopes.
    public func claims(
        sub: String = "alice", groups: [String] = [], audience: JSONValue = "odcs",
        scope: String =
            "openid https://pagure.io/odcs/new-compose https://pagure.io/odcs/renew-compose https://pagure.io/odcs/delete-compose",
        expiresIn: Int = 300, notBeforeIn: Int = -60
    ) -> JSONObject {
        let now = Int(Date().timeIntervalSince1970)
        return JSONObject([
            (key: "iss", value: .string(issuer)), (key: "sub", value: .string(sub)), (key: "aud", value: audience),
            (key: "iat", value: .int(now + notBeforeIn)), (key: "nbf", value: .int(now + notBeforeIn)),
            (key: "exp", value: .int(now + expiresIn)),
            (key: "scope", value: .string(scope)), (key: "groups", value: .array(groups.map(JSONValue.string))),
        ])
    }
}

private func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized())))
}
