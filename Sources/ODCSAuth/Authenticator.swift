import ODCSCore

/// An authentication backend (`auth_backend`): turns a mutating request into its caller or
/// refuses it with 401. GET requests are never authenticated (upstream needs no login there).
public protocol Authenticator: Sendable {
    func authenticate(_ request: AuthRequest) async throws(AuthError) -> Caller
}

/// `noauth`: every caller is upstream's anonymous user, who passes every role check.
public struct NoAuthenticator: Authenticator {
    public init() {}
    public func authenticate(_ request: AuthRequest) async throws(AuthError) -> Caller { .anonymous }
}

/// `oidc_or_proxy`: a request with a bearer token is an OIDC request; any other is
/// authenticated by the fronting proxy's headers (upstream `oidc_or_kerberos` decides the
/// same way, on the presence of mod_auth_openidc's variables).
public struct OIDCOrProxyAuthenticator: Authenticator {
    let oidc: OIDCAuthenticator
    let proxy: ProxyAuthenticator

    public init(oidc: OIDCAuthenticator, proxy: ProxyAuthenticator) {
        self.oidc = oidc
        self.proxy = proxy
    }

    public func authenticate(_ request: AuthRequest) async throws(AuthError) -> Caller {
        if request.bearerToken != nil { return try await oidc.authenticate(request) }
        return try await proxy.authenticate(request)
    }
}
