import Foundation

/// What an authenticator may look at: the request's headers and the address of the peer
/// that opened the connection (a fronting proxy, or the client itself).
public struct AuthRequest: Sendable {
    /// Header values by lower-cased name, in request order.
    var headers: [String: [String]]
    public var peer: IPAddress?

    public init(headers: [(name: String, value: String)], peer: IPAddress?) {
        var byName: [String: [String]] = [:]
        for (name, value) in headers { byName[name.lowercased(), default: []].append(value) }
        self.headers = byName
        self.peer = peer
    }

    public func values(_ name: String) -> [String] { headers[name.lowercased()] ?? [] }

    /// The token of `Authorization: Bearer <token>` (the scheme is case-insensitive), nil
    /// when there is none.
    public var bearerToken: String? {
        guard let authorization = values("Authorization").first else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
