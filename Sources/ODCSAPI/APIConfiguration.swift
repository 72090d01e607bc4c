import ODCSCore

/// What the API needs from the node's configuration, already validated.
public struct APIConfiguration: Sendable {
    public var renderer: ComposeJSONRenderer
    public var policy: RequestPolicy
    /// `auth_backend` as `/about` reports it.
    public var authBackend: String
    /// `allowed_clients` and `raw_config_urls` exactly as configured, for `/about`.
    public var allowedClients: JSONValue
    public var rawConfigURLs: JSONValue
    public var sigkeys: [String]
    /// Request bodies larger than this are refused with 413.
    public var maxRequestBodyBytes: Int
    public var version: String

    public init(
        renderer: ComposeJSONRenderer, policy: RequestPolicy, authBackend: String = "noauth",
        allowedClients: JSONValue = ["groups": [:], "users": [:]], rawConfigURLs: JSONValue = [:],
        sigkeys: [String] = [], maxRequestBodyBytes: Int = 1 << 20, version: String = ODCSVersion.wire
    ) {
        self.renderer = renderer
        self.policy = policy
        self.authBackend = authBackend
        self.allowedClients = allowedClients
        self.rawConfigURLs = rawConfigURLs
        self.sigkeys = sigkeys
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.version = version
    }
}
