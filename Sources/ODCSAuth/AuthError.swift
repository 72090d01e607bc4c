import ODCSCore

/// Why a request could not be authenticated, with upstream's status and text where upstream
/// has one. Never carries a token or a secret.
public struct AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 401: the caller could not be identified.
        case unauthorized
        /// 503: the identity provider could not be asked (its keys or introspection).
        case unavailable
    }

    public var kind: Kind
    public var message: String
    /// The `WWW-Authenticate` challenge of a 401, e.g. `Bearer error="invalid_token"`.
    public var challenge: String?

    public init(_ kind: Kind, _ message: String, challenge: String? = nil) {
        self.kind = kind
        self.message = message
        self.challenge = challenge
    }

    public static func unauthorized(_ message: String, challenge: String? = nil) -> AuthError {
        AuthError(.unauthorized, message, challenge: challenge)
    }

    /// A bearer token that was sent but is not acceptable; `reason` says why in a few words.
    static func invalidToken(_ reason: String) -> AuthError {
        .unauthorized("Invalid token passed to ODCS: \(reason).", challenge: #"Bearer error="invalid_token""#)
    }

    /// Refuses a user name `users.username` cannot hold (`Identity.isStorable`): a 401 at the
    /// door rather than a 500 when the caller's first compose is stored.
    static func requireStorable(username: String) throws(AuthError) {
        guard Identity.isStorable(username: username) else {
            throw .unauthorized("The user name is longer than the \(Identity.maximumUsernameLength) characters ODCS stores.")
        }
    }

    static let providerUnavailable = AuthError(.unavailable, "The identity provider cannot be reached; try again later.")

    public var description: String { message }
}
