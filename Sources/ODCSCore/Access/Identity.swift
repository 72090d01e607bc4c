/// Who made a request, as an authentication backend established it.
///
/// `anonymous` is upstream's `noauth` caller: it owns composes as `unknown`, removes them as
/// `anonymous`, and passes every role check.
public struct Identity: Sendable, Equatable {
    public var username: String
    public var groups: Set<String>
    /// The OAuth scopes the token granted, nil when the backend has no scopes (proxy).
    public var scopes: Set<String>?

    public init(username: String, groups: Set<String> = [], scopes: Set<String>? = nil) {
        self.username = username
        self.groups = groups
        self.scopes = scopes
    }
}
