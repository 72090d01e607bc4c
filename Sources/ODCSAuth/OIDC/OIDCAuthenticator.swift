import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import ODCSCore

/// `oidc`: `Authorization: Bearer <token>`. A JWT is verified with jwt-kit against the
/// provider's published keys, then its issuer, audience, expiry and not-before are checked;
/// any other token is asked about at the provider's introspection endpoint (RFC 7662), as
/// upstream's mod_auth_openidc set-up does. The user and groups come from configurable
/// claims; the scopes from `scope` (or `scp`).
///
/// Usage: `OIDCAuthenticator(configuration: .init(issuer: ..., audiences: [...]), logger: logger)`.
public struct OIDCAuthenticator: Authenticator {
    public struct Configuration: Sendable {
        /// The issuer (`iss`), whose discovery document names the keys and endpoints.
        public var issuer: String
        /// Audiences (`aud`) a token must name one of.
        public var audiences: [String]
        /// The JWKS URL, when it should not come from the discovery document.
        public var jwksURL: String?
        /// The introspection endpoint, when it should not come from the discovery document.
        public var introspectionURL: String?
        /// This service's client credentials for the introspection endpoint.
        public var clientID: String?
        public var clientSecret: Secret?
        /// Upstream's `auth_openidc_userinfo_uri`: groups are also read from there.
        public var userinfoURL: String?
        public var usernameClaim: String
        public var groupsClaim: String
        /// Upstream's `auth_openidc_required_scopes`: every token must have all of them.
        public var requiredScopes: [String]
        /// Clock skew allowed on `exp` and `nbf`.
        public var leewaySeconds: Int
        public var keyCacheSeconds: Int
        public var minimumKeyRefreshInterval: Duration
        /// Timeout of one call to the provider.
        public var timeoutSeconds: Int

        public static let defaultUsernameClaim = "sub"
        public static let defaultGroupsClaim = "groups"
        public static let defaultLeewaySeconds = 60
        public static let defaultKeyCacheSeconds = 3600
        public static let defaultMinimumKeyRefreshInterval = Duration.seconds(10)
        public static let defaultTimeoutSeconds = 10

        public init(
            issuer: String, audiences: [String], jwksURL: String? = nil, introspectionURL: String? = nil, clientID: String? = nil,
            clientSecret: Secret? = nil, userinfoURL: String? = nil, usernameClaim: String = Configuration.defaultUsernameClaim,
            groupsClaim: String = Configuration.defaultGroupsClaim, requiredScopes: [String] = [],
            leewaySeconds: Int = Configuration.defaultLeewaySeconds, keyCacheSeconds: Int = Configuration.defaultKeyCacheSeconds,
            minimumKeyRefreshInterval: Duration = Configuration.defaultMinimumKeyRefreshInterval,
            timeoutSeconds: Int = Configuration.defaultTimeoutSeconds
        ) {
            self.issuer = issuer
            self.audiences = audiences
            self.jwksURL = jwksURL
            self.introspectionURL = introspectionURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.userinfoURL = userinfoURL
            self.usernameClaim = usernameClaim
            self.groupsClaim = groupsClaim
            self.requiredScopes = requiredScopes
            self.leewaySeconds = leewaySeconds
            self.keyCacheSeconds = keyCacheSeconds
            self.minimumKeyRefreshInterval = minimumKeyRefreshInterval
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// Asymmetric algorithms only: `none` and the HMAC ones (whose "key" would be the public
    /// key) are refused before any key is looked at.
    static let acceptedAlgorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    ]

    public let configuration: Configuration
    let provider: OIDCProvider
    let http: ProviderHTTP
    let logger: Logger

    public init(configuration: Configuration, httpClient: HTTPClient = .shared, logger: Logger) {
        self.configuration = configuration
        self.http = ProviderHTTP(client: httpClient, timeout: .seconds(Int64(configuration.timeoutSeconds)))
        self.provider = OIDCProvider(configuration: configuration, http: http, logger: logger)
        self.logger = logger
    }

    public func authenticate(_ request: AuthRequest) async throws(AuthError) -> Caller {
        guard let token = request.bearerToken else { throw AuthError.unauthorized("Missing token passed to ODCS.", challenge: "Bearer") }
        do {
            let claims: TokenClaims
            if let jws = CompactJWS(token) {
                claims = try await verify(jws)
            } else {
                claims = try await introspect(token)
            }
            return .authenticated(try await identity(from: claims, token: token))
        } catch {
            logger.notice("bearer token refused", metadata: ["reason": "\(error.message)"])
            throw error
        }
    }

    /// Signature first (nothing in a forged token is believed), then the claims.
    func verify(_ jws: CompactJWS) async throws(AuthError) -> TokenClaims {
        guard Self.acceptedAlgorithms.contains(jws.algorithm) else {
            throw AuthError.invalidToken("its algorithm \(jws.algorithm) is not accepted")
        }
        let keys = try await provider.keys(for: jws.keyID)
        if let keyID = jws.keyID {
            guard let key = keys.algorithms[keyID] else { throw AuthError.invalidToken("it is signed with an unknown key") }
            if let pinned = key.name, pinned != jws.algorithm {
                throw AuthError.invalidToken("its algorithm does not match its key")
            }
        }
        do {
            _ = try await keys.collection.verify(jws.token, as: SignedPayload.self, iteratingKeys: jws.keyID == nil)
        } catch {
            throw AuthError.invalidToken("its signature does not verify")
        }
        guard let payload = jws.payload else { throw AuthError.invalidToken("its payload is not a JSON object") }
        let claims = TokenClaims(claims: payload)
        try claims.checkTimes(now: Date(), leeway: configuration.leewaySeconds, requireExpiry: true)
        try claims.checkIssuer(configuration.issuer, required: true)
        try claims.checkAudience(configuration.audiences, required: true)
        return claims
    }

    /// RFC 7662: the provider says whether the token is active and whose it is.
    func introspect(_ token: String) async throws(AuthError) -> TokenClaims {
        guard let url = try await provider.introspectionURL() else {
            throw AuthError.invalidToken("it is not a JWT and no introspection endpoint is configured")
        }
        let answer: ProviderHTTP.Answer
        do {
            answer = try await http.postForm(
                url, fields: [("token", token), ("token_type_hint", "access_token")], clientID: configuration.clientID,
                secret: configuration.clientSecret)
        } catch {
            logger.error("token introspection failed", metadata: ["error": "\(error)"])
            throw AuthError.providerUnavailable
        }
        guard answer.status == 200, case .object(let object)? = answer.json else {
            logger.error("token introspection failed", metadata: ["status": "\(answer.status)"])
            throw AuthError.providerUnavailable
        }
        guard object["active"] == .bool(true) else { throw AuthError.invalidToken("the identity provider says it is not active") }
        let claims = TokenClaims(claims: object)
        try claims.checkTimes(now: Date(), leeway: configuration.leewaySeconds, requireExpiry: false)
        try claims.checkIssuer(configuration.issuer, required: false)
        try claims.checkAudience(configuration.audiences, required: false)
        return claims
    }

    /// Upstream `load_openidc_user`: the user, the scopes (every required one present), the
    /// groups (plus the userinfo endpoint's, when configured).
    func identity(from claims: TokenClaims, token: String) async throws(AuthError) -> Identity {
        guard let username = claims.string(configuration.usernameClaim), !username.isEmpty else {
            throw AuthError.invalidToken("it has no \(configuration.usernameClaim) claim")
        }
        try AuthError.requireStorable(username: username)
        guard let scopes = claims.list("scope") ?? claims.list("scp") else { throw AuthError.unauthorized("Missing OIDC_CLAIM_scope.") }
        for scope in configuration.requiredScopes where !scopes.contains(scope) {
            throw AuthError.unauthorized("Required OIDC scope \(scope) not present.")
        }
        var groups = Set(claims.list(configuration.groupsClaim) ?? [])
        if let url = configuration.userinfoURL { groups.formUnion(await userinfoGroups(url, token: token)) }
        return Identity(username: username, groups: groups, scopes: Set(scopes))
    }

    /// Upstream `get_user_info`: a failing endpoint means no extra groups, never a refusal.
    func userinfoGroups(_ url: String, token: String) async -> [String] {
        do {
            let answer = try await http.get(url, bearer: token)
            guard answer.status == 200, case .object(let object)? = answer.json else {
                logger.warning("the userinfo endpoint gave no groups", metadata: ["status": "\(answer.status)"])
                return []
            }
            return TokenClaims(claims: object).list("groups") ?? []
        } catch {
            logger.warning("the userinfo endpoint cannot be reached", metadata: ["error": "\(error)"])
            return []
        }
    }
}

/// jwt-kit's payload for the signature check only; the claims are read from the JSON.
struct SignedPayload: JWTPayload {
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
