import Foundation
import Logging
import ODCSAuth
import ODCSCore
import ODCSTesting
import Testing

/// Real tokens, signed with RSA and EC keys made here, against a real provider process on a
/// local port (discovery, JWKS, introspection, userinfo).
@Suite struct OIDCAuthenticatorTests {
    static let logger: Logger = {
        var logger = Logger(label: "oidc-test")
        logger.logLevel = .critical
        return logger
    }()

    func withProvider<R: Sendable>(
        _ keys: [TestSigningKey]? = nil,
        configure: @Sendable (inout OIDCAuthenticator.Configuration, TestIdentityProvider) -> Void = { _, _ in },
        _ body: @Sendable (TestIdentityProvider, OIDCAuthenticator, [TestSigningKey]) async throws -> R
    ) async throws -> R {
        let signing: [TestSigningKey]
        if let keys {
            signing = keys
        } else {
            signing = [try await TestSigningKey.make(.rsa, kid: "rsa-1"), try await TestSigningKey.make(.ec, kid: "ec-1")]
        }
        return try await TestIdentityProvider.serving(keys: signing) { provider in
            var configuration = OIDCAuthenticator.Configuration(
                issuer: provider.issuer, audiences: ["odcs"], minimumKeyRefreshInterval: .zero)
            configure(&configuration, provider)
            return try await body(provider, OIDCAuthenticator(configuration: configuration, logger: Self.logger), signing)
        }
    }

    func request(bearer token: String?) -> AuthRequest {
        AuthRequest(headers: token.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? [], peer: nil)
    }

    func refusal(_ authenticator: OIDCAuthenticator, _ token: String?) async -> AuthError? {
        do {
            _ = try await authenticator.authenticate(request(bearer: token))
            return nil
        } catch {
            return error
        }
    }

    @Test func validRSAAndECTokensGiveTheUserAndGroups() async throws {
        try await withProvider { provider, authenticator, keys in
            for key in keys {
                let token = try await key.sign(provider.claims(sub: "alice", groups: ["packagers", "qa"]))
                let caller = try await authenticator.authenticate(request(bearer: token))
                #expect(caller.identity?.username == "alice", "\(key.algorithm)")
                #expect(caller.identity?.groups == ["packagers", "qa"])
                #expect(caller.identity?.scopes?.contains("https://pagure.io/odcs/new-compose") == true)
            }
            // One fetch of the key set served every verification.
            #expect(await provider.jwksFetches == 1)
        }
    }

    @Test func refusesBadTokensWithAReason() async throws {
        try await withProvider { provider, authenticator, keys in
            let key = keys[0]
            var expired = provider.claims(expiresIn: -3600, notBeforeIn: -7200)
            var notYet = provider.claims(expiresIn: 7200, notBeforeIn: 3600)
            var wrongIssuer = provider.claims()
            wrongIssuer["iss"] = "https://evil.example.com"
            var wrongAudience = provider.claims(audience: ["someone-else", "other"])
            var noExpiry = provider.claims()
            noExpiry["exp"] = nil
            expired["sub"] = "alice"
            notYet["sub"] = "alice"
            let cases: [(String, String)] = [
                ("expired", try await key.sign(expired)), ("not yet valid", try await key.sign(notYet)),
                ("wrong issuer", try await key.sign(wrongIssuer)), ("wrong audience", try await key.sign(wrongAudience)),
                ("no expiry", try await key.sign(noExpiry)),
            ]
            let expected = [
                "it has expired", "it is not valid yet", "it was issued by another issuer", "it is meant for another audience",
                "it has no expiry time (exp)",
            ]
            for ((name, token), reason) in zip(cases, expected) {
                let error = await refusal(authenticator, token)
                #expect(error?.kind == .unauthorized, "\(name)")
                #expect(error?.message == "Invalid token passed to ODCS: \(reason).", "\(name)")
                #expect(error?.challenge == #"Bearer error="invalid_token""#)
            }
            wrongAudience["aud"] = "odcs"
            #expect(await refusal(authenticator, try await key.sign(wrongAudience)) == nil)
        }
    }

    @Test func refusesForgedTokens() async throws {
        try await withProvider { provider, authenticator, keys in
            let claims = provider.claims(sub: "alice")
            // Signed by a key the provider never published, under a published key id.
            let impostor = try await TestSigningKey.make(.rsa, kid: "rsa-1")
            #expect(
                await refusal(authenticator, try await impostor.sign(claims))?.message
                    == "Invalid token passed to ODCS: its signature does not verify.")
            // An EC signature presented as the RSA key's.
            let crossed = try await keys[1].sign(claims, header: ["kid": "rsa-1", "alg": "RS256"])
            #expect(await refusal(authenticator, crossed)?.message == "Invalid token passed to ODCS: its signature does not verify.")
            // A key id nobody published.
            let stranger = try await TestSigningKey.make(.ec, kid: "ec-unknown")
            #expect(
                await refusal(authenticator, try await stranger.sign(claims))?.message
                    == "Invalid token passed to ODCS: it is signed with an unknown key.")
            // alg none: no signature at all.
            let none =
                TestSigningKey.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "."
                + TestSigningKey.base64URL(Data(JSONValue.object(claims).serialized().utf8)) + "."
            #expect(await refusal(authenticator, none)?.message == "Invalid token passed to ODCS: its algorithm none is not accepted.")
            // HS256 keyed with the public key (algorithm confusion) never reaches a key.
            let hmac = try await keys[0].sign(claims, header: ["alg": "HS256"])
            #expect(await refusal(authenticator, hmac)?.message == "Invalid token passed to ODCS: its algorithm HS256 is not accepted.")
            // A key pinned to ES256 does not take an ES384 header.
            let pinned = try await keys[1].sign(claims, header: ["alg": "ES384"])
            #expect(await refusal(authenticator, pinned)?.message == "Invalid token passed to ODCS: its algorithm does not match its key.")
            // A valid token whose payload was changed afterwards.
            let good = try await keys[0].sign(claims)
            var parts = good.split(separator: ".").map(String.init)
            var promoted = claims
            promoted["sub"] = "root"
            parts[1] = TestSigningKey.base64URL(Data(JSONValue.object(promoted).serialized().utf8))
            #expect(
                await refusal(authenticator, parts.joined(separator: "."))?.message
                    == "Invalid token passed to ODCS: its signature does not verify.")
            #expect(await refusal(authenticator, good) == nil)
        }
    }

    @Test func missingTokenAndScopes() async throws {
        try await withProvider(configure: { configuration, _ in configuration.requiredScopes = ["openid"] }) {
            provider, authenticator, keys in
            #expect(await refusal(authenticator, nil) == AuthError.unauthorized("Missing token passed to ODCS.", challenge: "Bearer"))
            do {
                _ = try await authenticator.authenticate(AuthRequest(headers: [(name: "Authorization", value: "Basic YTpi")], peer: nil))
                Issue.record("Basic credentials were taken for a bearer token")
            } catch {
                #expect((error as? AuthError)?.message == "Missing token passed to ODCS.")
            }
            var noScope = provider.claims()
            noScope["scope"] = nil
            #expect(await refusal(authenticator, try await keys[0].sign(noScope))?.message == "Missing OIDC_CLAIM_scope.")
            let withoutOpenID = provider.claims(scope: "https://pagure.io/odcs/new-compose")
            #expect(
                await refusal(authenticator, try await keys[0].sign(withoutOpenID))?.message == "Required OIDC scope openid not present.")
            var listed = provider.claims()
            listed["scope"] = nil
            listed["scp"] = ["openid", "https://pagure.io/odcs/new-compose"]
            let caller = try await authenticator.authenticate(request(bearer: try await keys[0].sign(listed)))
            #expect(caller.identity?.scopes == ["openid", "https://pagure.io/odcs/new-compose"])
        }
    }

    @Test func configurableClaims() async throws {
        try await withProvider(configure: { configuration, _ in
            configuration.usernameClaim = "preferred_username"
            configuration.groupsClaim = "roles"
        }) { provider, authenticator, keys in
            var claims = provider.claims(sub: "f8a3-uuid")
            claims["preferred_username"] = "alice"
            claims["roles"] = "packagers qa"
            let caller = try await authenticator.authenticate(request(bearer: try await keys[0].sign(claims)))
            #expect(caller.identity == Identity(username: "alice", groups: ["packagers", "qa"], scopes: caller.identity?.scopes))
            claims["preferred_username"] = nil
            #expect(
                await refusal(authenticator, try await keys[0].sign(claims))?.message
                    == "Invalid token passed to ODCS: it has no preferred_username claim.")
        }
    }

    @Test func fetchesTheKeysAgainForAnUnknownKeyID() async throws {
        try await withProvider { provider, authenticator, keys in
            let claims = provider.claims()
            #expect(await refusal(authenticator, try await keys[0].sign(claims)) == nil)
            #expect(await provider.jwksFetches == 1)
            // The provider rotates to a new key: tokens naming it make the node fetch again.
            let rotated = try await TestSigningKey.make(.rsa, kid: "rsa-2")
            await provider.publish([rotated])
            #expect(await refusal(authenticator, try await rotated.sign(claims)) == nil)
            #expect(await provider.jwksFetches == 2)
            // The retired key is gone from the set.
            #expect(
                await refusal(authenticator, try await keys[0].sign(claims))?.message
                    == "Invalid token passed to ODCS: it is signed with an unknown key.")
        }
    }

    @Test func unknownKeyIDsDoNotFloodTheProvider() async throws {
        try await withProvider(configure: { configuration, _ in configuration.minimumKeyRefreshInterval = .seconds(600) }) {
            provider, authenticator, keys in
            let claims = provider.claims()
            #expect(await refusal(authenticator, try await keys[0].sign(claims)) == nil)
            for number in 0..<5 {
                let made = try await TestSigningKey.make(.ec, kid: "made-up-\(number)")
                #expect(
                    await refusal(authenticator, try await made.sign(claims))?.message
                        == "Invalid token passed to ODCS: it is signed with an unknown key.")
            }
            #expect(await provider.jwksFetches == 1)
        }
    }

    @Test func opaqueTokensAreIntrospected() async throws {
        try await withProvider(configure: { configuration, provider in
            configuration.clientID = provider.clientID
            configuration.clientSecret = Secret(provider.clientSecret)
        }) { provider, authenticator, _ in
            var claims = provider.claims(sub: "bob", groups: ["packagers"])
            claims["active"] = true
            await provider.registerOpaqueToken("opaque-token-1", claims: .object(claims))
            let caller = try await authenticator.authenticate(request(bearer: "opaque-token-1"))
            #expect(caller.identity?.username == "bob" && caller.identity?.groups == ["packagers"])
            #expect(
                await refusal(authenticator, "opaque-token-2")?.message
                    == "Invalid token passed to ODCS: the identity provider says it is not active.")
            var expired = provider.claims(sub: "bob", expiresIn: -3600)
            expired["active"] = true
            await provider.registerOpaqueToken("opaque-expired", claims: .object(expired))
            #expect(await refusal(authenticator, "opaque-expired")?.message == "Invalid token passed to ODCS: it has expired.")
            #expect(await provider.introspectionCalls == 3)
        }
    }

    @Test func wrongIntrospectionCredentialsAreTheServicesProblem() async throws {
        try await withProvider(configure: { configuration, provider in
            configuration.clientID = provider.clientID
            configuration.clientSecret = Secret("not-the-secret")
        }) { _, authenticator, _ in
            let error = await refusal(authenticator, "opaque-token-1")
            #expect(error?.kind == .unavailable)
            #expect(error?.message.contains("not-the-secret") == false)
        }
    }

    @Test func userinfoGroupsAreAdded() async throws {
        try await withProvider(configure: { configuration, provider in configuration.userinfoURL = provider.userinfoURL }) {
            provider, authenticator, keys in
            let token = try await keys[0].sign(provider.claims(sub: "alice", groups: ["qa"]))
            await provider.setUserinfo(for: token, ["sub": "alice", "groups": ["packagers"]])
            #expect(try await authenticator.authenticate(request(bearer: token)).identity?.groups == ["qa", "packagers"])
            // A userinfo failure means no extra groups (upstream), not a refusal.
            let other = try await keys[0].sign(provider.claims(sub: "carol", groups: ["qa"]))
            #expect(try await authenticator.authenticate(request(bearer: other)).identity?.groups == ["qa"])
        }
    }

    @Test func providerTroubleIsA503() async throws {
        // The discovery document names another issuer (here: ours without the trailing slash).
        try await withProvider(configure: { configuration, provider in configuration.issuer = provider.issuer + "/" }) {
            provider, authenticator, keys in
            var claims = provider.claims()
            claims["iss"] = .string(provider.issuer + "/")
            let token = try await keys[0].sign(claims)
            #expect(await refusal(authenticator, token)?.kind == .unavailable)
        }
        // Nobody listens at the JWKS URL.
        try await withProvider(configure: { configuration, _ in configuration.jwksURL = "http://127.0.0.1:9/jwks" }) {
            provider, authenticator, keys in
            let token = try await keys[0].sign(provider.claims())
            #expect(
                await refusal(authenticator, token) == AuthError(.unavailable, "The identity provider cannot be reached; try again later."))
        }
    }

    @Test func configuredJWKSURLNeedsNoDiscovery() async throws {
        // The issuer names no discovery document at all; the keys come from the JWKS URL.
        try await withProvider(configure: { configuration, provider in
            configuration.issuer = "https://issuer.invalid/realms/odcs"
            configuration.jwksURL = provider.jwksURL
        }) { provider, authenticator, keys in
            var claims = provider.claims(sub: "alice")
            claims["iss"] = "https://issuer.invalid/realms/odcs"
            let token = try await keys[1].sign(claims)
            #expect(try await authenticator.authenticate(request(bearer: token)).owner == "alice")
        }
    }

    @Test func oidcOrProxyPicksTheBackendByTheBearerToken() async throws {
        try await withProvider { provider, authenticator, keys in
            let either = OIDCOrProxyAuthenticator(
                oidc: authenticator, proxy: ProxyAuthenticator(configuration: .init(trustedProxies: [IPAddressRange("10.0.0.0/8")!])))
            let token = try await keys[0].sign(provider.claims(sub: "alice"))
            let proxied = [(name: "X-Remote-User", value: "bob@EXAMPLE.COM")]
            let viaToken = try await either.authenticate(
                AuthRequest(headers: proxied + [(name: "Authorization", value: "Bearer \(token)")], peer: IPAddress("10.0.0.5")))
            #expect(viaToken.owner == "alice" && viaToken.identity?.scopes != nil)
            let viaProxy = try await either.authenticate(AuthRequest(headers: proxied, peer: IPAddress("10.0.0.5")))
            #expect(viaProxy == .authenticated(Identity(username: "bob")))
            do {
                _ = try await either.authenticate(AuthRequest(headers: proxied, peer: IPAddress("192.0.2.1")))
                Issue.record("proxy headers from an untrusted peer were believed")
            } catch {
                #expect((error as? AuthError)?.message == "REMOTE_USER is not present in request.")
            }
        }
    }
}
