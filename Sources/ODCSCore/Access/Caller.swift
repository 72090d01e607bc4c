/// The caller of a mutating request: upstream's anonymous `noauth` user, or an identity an
/// authentication backend established.
public enum Caller: Sendable, Equatable {
    /// `noauth`: every role check passes; composes are owned by `unknown`, removed by `anonymous`.
    case anonymous
    case authenticated(Identity)

    /// The name written to `owner` (upstream `_get_compose_owner`).
    public var owner: String {
        switch self {
        case .anonymous: "unknown"
        case .authenticated(let identity): identity.username
        }
    }

    /// The name in `Canceled by …`, `removed_by` and the 403 messages.
    public var username: String {
        switch self {
        case .anonymous: "anonymous"
        case .authenticated(let identity): identity.username
        }
    }

    public var identity: Identity? {
        if case .authenticated(let identity) = self { return identity }
        return nil
    }
}
