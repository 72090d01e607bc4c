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

/// A node's API with `auth_backend: oidc` over a fresh schema, the test identity provider it
/// trusts, and an RSA key the provider publishes.
struct OIDCRig: Sendable {
    let api: TestAPI
    let provider: TestIdentityProvider
    let key: TestSigningKey

    static let policy = RequestPolicy(
        defaultTargetDir: "/srv/odcs", extraTargetDirs: ["releng-private": "/srv/private", "scratch": "/srv/scratch"],
        rawConfigs: ["cfg_a": .init(), "cfg_b": .init()])
    static let rawConfigURLs: JSONValue = [
        "cfg_a": ["url": "https://git.example.com/a.git", "config_filename": "a.conf"],
        "cfg_b": ["url": "https://git.example.com/b.git", "config_filename": "b.conf"],
    ]

    /// `admins` and `allowed_clients` as a node would read them from its configuration.
    static func with<R: Sendable>(
        admins: JSONValue = ["users": ["root"], "groups": ["odcs-admins"]], allowedClients: JSONValue,
        scopeNamespace: String = APIConfiguration.defaultScopeNamespace, _ body: @Sendable (OIDCRig) async throws -> R
    ) async throws -> R {
        let key = try await TestSigningKey.make(.rsa, kid: "rig-rsa")
        let access = AccessPolicy(
            admins: try RoleMembers(parsing: admins, key: "admins"), allowedClients: try AllowedClients(parsing: allowedClients),
            defaults: AccessPolicy.upstreamDefaults(rawConfigKeys: ["cfg_a", "cfg_b"]), defaultTargetDir: policy.defaultTargetDir,
            extraTargetDirs: policy.extraTargetDirs)
        return try await TestIdentityProvider.serving(keys: [key]) { provider in
            let authenticator = OIDCAuthenticator(
                configuration: .init(issuer: provider.issuer, audiences: ["odcs"]), logger: Logger(label: "oidc-rig"))
            var configuration = TestAPI.configuration(
                policy: policy, rawConfigURLs: rawConfigURLs, authBackend: "oidc", authenticator: authenticator, access: access)
            configuration.scopeNamespace = scopeNamespace
            return try await TestAPI.with(configuration: configuration) { api in
                try await body(OIDCRig(api: api, provider: provider, key: key))
            }
        }
    }

    /// A good token of `sub`; `scopes` are the short ODCS scope names it carries.
    func token(
        _ sub: String, groups: [String] = [], scopes: [String] = ["new-compose", "renew-compose", "delete-compose"],
        namespace: String = APIConfiguration.defaultScopeNamespace
    ) async throws -> String {
        let scope = (["openid"] + scopes.map { namespace + $0 }).joined(separator: " ")
        return try await key.sign(provider.claims(sub: sub, groups: groups, scope: scope))
    }

    func test<R: Sendable>(_ body: @Sendable @escaping (any TestClientProtocol) async throws -> R) async throws -> R {
        try await api.test(body)
    }
}

extension TestClientProtocol {
    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil, bearer: String) async throws -> TestResponse {
        try await execute(
            uri: uri, method: method, headers: [.authorization: "Bearer \(bearer)"], body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The error body's message (nil when the body is not one).
    var message: String? { (try? json)?["message"]?.stringValue }
}

extension TestAPI {
    /// Everything in the schema, to show that a refused request changed nothing.
    func digest() async throws -> String { try await store.contentDigest() }
}
