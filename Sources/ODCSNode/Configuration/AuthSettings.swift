import Foundation
import Logging
import ODCSAuth
import ODCSCore

/// The validated authentication and authorization keys: the backend, each backend's
/// settings, and the access policy (`admins`, `allowed_clients`, `allowed_*`). Secrets are
/// read here, from their file or the environment, and kept as `Secret`.
public struct AuthSettings: Sendable {
    public enum Backend: String, Sendable {
        case noauth
        case oidc
        case proxy
        case oidcOrProxy = "oidc_or_proxy"

        var usesOIDC: Bool { self == .oidc || self == .oidcOrProxy }
        var usesProxy: Bool { self == .proxy || self == .oidcOrProxy }
    }

    public var backend: Backend
    public var oidc: OIDCAuthenticator.Configuration?
    public var proxy: ProxyAuthenticator.Configuration?
    public var scopeNamespace: String
    public var access: AccessPolicy

    init(values: [String: JSONValue], targetDir: String, extraTargetDirs: [String: String], rawConfigKeys: [String]) throws {
        func string(_ key: String) -> String? { values[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        func list(_ key: String) -> [String] { values[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        func int(_ key: String) -> Int {
            if case .int(let number) = values[key] { return number }
            return 0
        }
        func url(_ key: String) throws -> String? {
            guard let text = string(key) else { return nil }
            guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
                throw ConfigurationError("configuration key \(key) must be an http(s) URL, got \(text)")
            }
            return text
        }

        backend = Backend(rawValue: string("auth_backend") ?? "noauth") ?? .noauth
        scopeNamespace = values["oidc_base_namespace"]?.stringValue ?? ""

        do {
            var defaults = AccessPolicy.upstreamDefaults(rawConfigKeys: rawConfigKeys)
            for (key, attribute) in [
                ("allowed_source_types", ClientAttribute.sourceTypes), ("allowed_sources", .sources), ("allowed_arches", .arches),
                ("allowed_flags", .flags), ("allowed_results", .results), ("allowed_compose_types", .composeTypes),
            ] {
                defaults.allowed[attribute] = list(key)
            }
            access = AccessPolicy(
                admins: try RoleMembers(parsing: values["admins"] ?? [:], key: "admins"),
                allowedClients: try AllowedClients(parsing: values["allowed_clients"] ?? [:]), defaults: defaults,
                defaultTargetDir: targetDir, extraTargetDirs: extraTargetDirs)
        } catch {
            throw ConfigurationError("configuration key \(error.message)")
        }

        oidc = nil
        if backend.usesOIDC {
            guard let issuer = try url("auth.oidc.issuer") else {
                throw ConfigurationError("auth_backend \(backend.rawValue) needs auth.oidc.issuer (the tokens' issuer URL)")
            }
            let audiences = list("auth.oidc.audiences")
            guard !audiences.isEmpty else {
                throw ConfigurationError("auth_backend \(backend.rawValue) needs auth.oidc.audiences (the audiences a token must name)")
            }
            let secret = try Self.clientSecret(file: string("auth.oidc.client_secret_file"), environment: string("auth.oidc.client_secret"))
            let clientID = string("auth.oidc.client_id")
            if secret != nil, clientID == nil {
                throw ConfigurationError("configuration key auth.oidc.client_id must be set with a client secret")
            }
            oidc = OIDCAuthenticator.Configuration(
                issuer: issuer, audiences: audiences, jwksURL: try url("auth.oidc.jwks_url"),
                introspectionURL: try url("auth.oidc.introspection_url"), clientID: clientID, clientSecret: secret,
                userinfoURL: try url("auth_openidc_userinfo_uri"),
                usernameClaim: string("auth.oidc.username_claim") ?? OIDCAuthenticator.Configuration.defaultUsernameClaim,
                groupsClaim: string("auth.oidc.groups_claim") ?? OIDCAuthenticator.Configuration.defaultGroupsClaim,
                requiredScopes: list("auth_openidc_required_scopes"), leewaySeconds: int("auth.oidc.leeway_seconds"),
                keyCacheSeconds: int("auth.oidc.jwks_cache_seconds"), timeoutSeconds: int("auth.oidc.timeout_seconds"))
        }

        proxy = nil
        if backend.usesProxy {
            var trusted: [IPAddressRange] = []
            for text in list("auth.proxy.trusted_proxies") {
                guard let range = IPAddressRange(text) else {
                    throw ConfigurationError("configuration key auth.proxy.trusted_proxies: \(text) is not an address or a CIDR range")
                }
                trusted.append(range)
            }
            guard !trusted.isEmpty else {
                throw ConfigurationError(
                    "auth_backend \(backend.rawValue) needs auth.proxy.trusted_proxies (the addresses of the proxies whose headers are believed)"
                )
            }
            let userHeader = string("auth.proxy.user_header") ?? ProxyAuthenticator.Configuration.defaultUserHeader
            let groupsHeader = string("auth.proxy.groups_header")
            for (key, name) in [("auth.proxy.user_header", userHeader), ("auth.proxy.groups_header", groupsHeader ?? "X")]
            where !Self.isHeaderName(name) {
                throw ConfigurationError("configuration key \(key) must be an HTTP header name, got \(name)")
            }
            proxy = ProxyAuthenticator.Configuration(
                userHeader: userHeader, groupsHeader: groupsHeader,
                groupsSeparator: values["auth.proxy.groups_separator"]?.stringValue ?? ",",
                trustedProxies: trusted, stripRealm: values["auth.proxy.strip_realm"] != .bool(false))
            guard proxy?.groupsSeparator.isEmpty == false else {
                throw ConfigurationError("configuration key auth.proxy.groups_separator must not be empty")
            }
        }
    }

    /// The client secret from its file (trailing newline dropped) or the environment; the
    /// value never appears in an error.
    static func clientSecret(file: String?, environment: String?) throws -> Secret? {
        if let file {
            guard environment == nil else {
                throw ConfigurationError("auth.oidc.client_secret_file and ODCS_AUTH_OIDC_CLIENT_SECRET are both set; keep one")
            }
            return Secret(try NodeConfiguration.secret(file: file, key: "auth.oidc.client_secret_file"))
        }
        return environment.map(Secret.init)
    }

    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
            }
    }

    /// The authenticator of this backend, and the proxy configuration whose headers must be
    /// stripped from untrusted peers. One per node: the OIDC one caches the provider's keys.
    public func makeAuthenticator(logger: Logger) -> (any Authenticator, ProxyAuthenticator?) {
        let proxyAuthenticator = proxy.map { ProxyAuthenticator(configuration: $0) }
        let oidcAuthenticator = oidc.map { OIDCAuthenticator(configuration: $0, logger: logger) }
        switch backend {
        case .noauth: return (NoAuthenticator(), nil)
        case .oidc: return (oidcAuthenticator!, nil)
        case .proxy: return (proxyAuthenticator!, proxyAuthenticator)
        case .oidcOrProxy: return (OIDCOrProxyAuthenticator(oidc: oidcAuthenticator!, proxy: proxyAuthenticator!), proxyAuthenticator)
        }
    }
}
