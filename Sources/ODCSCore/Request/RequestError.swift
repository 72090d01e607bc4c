/// A client mistake in a request, with the status and the message upstream sends for it.
public struct RequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case badRequest
        case forbidden
        case notFound
    }

    public var kind: Kind
    public var message: String

    public init(_ message: String) {
        self.init(.badRequest, message)
    }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
