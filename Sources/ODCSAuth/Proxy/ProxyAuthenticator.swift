import Foundation
import ODCSCore

/// `proxy`: a fronting proxy authenticated the user (Kerberos with mod_auth_gssapi, or a TLS
/// client certificate) and passes the name, and optionally the groups, in headers. Those
/// headers count only on connections from the configured proxy addresses; from anywhere
/// else they are stripped (see `ProxyHeaderFilter` in ODCSAPI) and ignored here.
public struct ProxyAuthenticator: Authenticator {
    public struct Configuration: Sendable, Equatable {
        /// The header with the user name (upstream's `REMOTE_USER`).
        public var userHeader: String
        /// The header with the user's groups, if the proxy sends them.
        public var groupsHeader: String?
        /// What separates groups in `groupsHeader`.
        public var groupsSeparator: String
        /// Peers whose headers are trusted.
        public var trustedProxies: [IPAddressRange]
        /// `user@REALM` → `user`, as upstream's kerberos backend does.
        public var stripRealm: Bool

        public static let defaultUserHeader = "X-Remote-User"

        public init(
            userHeader: String = Configuration.defaultUserHeader, groupsHeader: String? = nil, groupsSeparator: String = ",",
            trustedProxies: [IPAddressRange], stripRealm: Bool = true
        ) {
            self.userHeader = userHeader
            self.groupsHeader = groupsHeader
            self.groupsSeparator = groupsSeparator
            self.trustedProxies = trustedProxies
            self.stripRealm = stripRealm
        }

        /// The headers that carry identity; requests from untrusted peers lose them.
        public var identityHeaders: [String] { [userHeader] + (groupsHeader.map { [$0] } ?? []) }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func isTrusted(_ peer: IPAddress?) -> Bool {
        guard let peer else { return false }
        return configuration.trustedProxies.contains { $0.contains(peer) }
    }

    public func authenticate(_ request: AuthRequest) async throws(AuthError) -> Caller {
        // Upstream's text when Apache passed no user.
        let missing = AuthError.unauthorized("REMOTE_USER is not present in request.")
        guard isTrusted(request.peer) else { throw missing }
        let users = request.values(configuration.userHeader)
        guard users.count <= 1 else { throw AuthError.unauthorized("The proxy passed more than one user.") }
        var username = users.first?.trimmingCharacters(in: .whitespaces) ?? ""
        if configuration.stripRealm, let at = username.lastIndex(of: "@") {
            username = String(username[..<at])
        }
        guard !username.isEmpty, !username.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            throw missing
        }
        try AuthError.requireStorable(username: username)
        var groups: Set<String> = []
        if let header = configuration.groupsHeader {
            for value in request.values(header) {
                for group in value.components(separatedBy: configuration.groupsSeparator) {
                    let name = group.trimmingCharacters(in: .whitespaces)
                    if !name.isEmpty { groups.insert(name) }
                }
            }
        }
        return .authenticated(Identity(username: username, groups: groups))
    }
}
