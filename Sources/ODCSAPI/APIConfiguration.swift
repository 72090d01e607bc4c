import ODCSAuth
import ODCSCore
import ODCSStore

/// What the API needs from the node's configuration, already validated.
public struct APIConfiguration: Sendable {
    public var renderer: ComposeJSONRenderer
    public var policy: RequestPolicy
    /// `auth_backend` as `/about` reports it.
    public var authBackend: String
    /// Who the caller of a POST, PATCH or DELETE is.
    public var authenticator: any Authenticator
    /// With a proxy backend: strips its identity headers from untrusted peers.
    public var proxy: ProxyAuthenticator?
    /// Upstream `oidc_base_namespace`, the prefix of the per-endpoint scopes.
    public var scopeNamespace: String
    /// `admins` and `allowed_clients`.
    public var access: AccessPolicy
    /// `allowed_clients` and `raw_config_urls` exactly as configured, for `/about`.
    public var allowedClients: JSONValue
    public var rawConfigURLs: JSONValue
    public var sigkeys: [String]
    /// Request bodies larger than this are refused with 413.
    public var maxRequestBodyBytes: Int
    public var version: String
    /// The target dir that `/composes/` serves; nil when a web server in front serves it.
    public var servedTargetDir: String?
    /// How list pages are cut into statements: the memory a list response holds at once.
    public var listChunking = ComposeStore.ListChunking()
    /// The event streams' hub: caps on open streams, its ring, its poll interval.
    public var events: EventHub.Configuration

    public static let defaultScopeNamespace = "https://pagure.io/odcs/"

    public init(
        renderer: ComposeJSONRenderer, policy: RequestPolicy, authBackend: String = "noauth",
        authenticator: any Authenticator = NoAuthenticator(), proxy: ProxyAuthenticator? = nil,
        scopeNamespace: String = APIConfiguration.defaultScopeNamespace, access: AccessPolicy = AccessPolicy(),
        allowedClients: JSONValue = ["groups": [:], "users": [:]], rawConfigURLs: JSONValue = [:],
        sigkeys: [String] = [], maxRequestBodyBytes: Int = 1 << 20, version: String = ODCSVersion.wire,
        servedTargetDir: String? = nil, events: EventHub.Configuration = .init()
    ) {
        self.renderer = renderer
        self.policy = policy
        self.authBackend = authBackend
        self.authenticator = authenticator
        self.proxy = proxy
        self.scopeNamespace = scopeNamespace
        self.access = access
        self.allowedClients = allowedClients
        self.rawConfigURLs = rawConfigURLs
        self.sigkeys = sigkeys
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.version = version
        self.servedTargetDir = servedTargetDir
        self.events = events
    }
}
