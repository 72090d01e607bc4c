import Hummingbird
import ODCSAuth
import ODCSCore

/// Who is calling a mutating route: the configured backend authenticates the request (401),
/// then the endpoint's OIDC scope is checked (403) — upstream's `login_required` and
/// `require_scopes`. Roles and `allowed_clients` are the `AccessPolicy`'s.
struct AccessControl: Sendable {
    let authenticator: any Authenticator
    /// Upstream `oidc_base_namespace`: the scope of an endpoint is this prefix + its name.
    let scopeNamespace: String

    /// `scope` is upstream's short name: `new-compose`, `renew-compose`, `delete-compose`.
    func caller(_ request: Request, _ context: ODCSRequestContext, scope: String) async throws -> Caller {
        let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let caller: Caller
        do {
            caller = try await authenticator.authenticate(AuthRequest(headers: headers, peer: context.peerAddress))
        } catch {
            throw APIError(error)
        }
        // Only token callers have scopes; proxy-authenticated callers have none to check.
        if let scopes = caller.identity?.scopes, !scopes.contains(scopeNamespace + scope) {
            context.logger.notice("request without the endpoint's scope", metadata: ["user": "\(caller.username)", "scope": "\(scope)"])
            throw APIError(.forbidden, "Request does not have required scope \(scope)")
        }
        return caller
    }
}

/// Strips the proxy identity headers from requests whose peer is not a trusted proxy, so
/// that nothing downstream can take a client's own `X-Remote-User` for the proxy's.
struct ProxyHeaderFilter: RouterMiddleware {
    typealias Context = ODCSRequestContext
    let proxy: ProxyAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !proxy.isTrusted(context.peerAddress) else { return try await next(request, context) }
        let stripped = Set(proxy.configuration.identityHeaders.map { $0.lowercased() })
        guard request.headers.contains(where: { stripped.contains($0.name.canonicalName) }) else { return try await next(request, context) }
        context.logger.warning(
            "identity headers from an untrusted address stripped", metadata: ["peer": "\(context.peerAddress?.description ?? "unknown")"])
        var head = request.head
        head.headerFields = HTTPFields(request.headers.filter { !stripped.contains($0.name.canonicalName) })
        return try await next(Request(head: head, body: request.body), context)
    }
}
