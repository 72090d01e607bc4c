/// Who made a request, as an authentication backend established it.
///
/// `anonymous` is upstream's `noauth` caller: it owns composes as `unknown`, removes them as
/// `anonymous`, and passes every role check.
public struct Identity: Sendable, Equatable {
    public var username: String
    public var groups: Set<String>
    /// The OAuth scopes the token granted, nil when the backend has no scopes (proxy).
    public var scopes: Set<String>?

    /// The longest user name ODCS stores (`users.username` is varchar(200), as upstream's):
    /// a longer one is refused when the caller is authenticated, not failed on insert.
    public static let maximumUsernameLength = 200

    /// Whether a user name fits the stored column: at most 200 characters as PostgreSQL counts
    /// them (code points).
    public static func isStorable(username: String) -> Bool { username.unicodeScalars.count <= maximumUsernameLength }

    public init(username: String, groups: Set<String> = [], scopes: Set<String>? = nil) {
        self.username = username
        self.groups = groups
        self.scopes = scopes
    }
}
