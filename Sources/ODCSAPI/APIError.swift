import Hummingbird
import NIOCore
import ODCSAuth
import ODCSCore

/// Any error a handler throws, as upstream's error body `{"error","message","status"}`.
/// Internal failures are logged by `ErrorMiddleware` and answered with a generic message.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    public static let routeNotFound = APIError(
        .notFound,
        "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
    )

    /// A passing database fault (`TransientDatabaseError`): the client may try again shortly.
    public static let databaseUnavailable = APIError(
        .serviceUnavailable, "The database is unavailable at the moment; retry the request.",
        headers: [.retryAfter: String(retryAfterSeconds)])

    /// `Retry-After` of a request that met a passing database fault: a fast PostgreSQL
    /// restart takes about a second, a failover a few.
    public static let retryAfterSeconds = 2

    public init(_ error: RequestError) {
        switch error.kind {
        case .badRequest: self.init(.badRequest, error.message)
        case .forbidden: self.init(.forbidden, error.message)
        case .notFound: self.init(.notFound, error.message)
        }
    }

    public init(_ error: AuthError) {
        switch error.kind {
        case .unauthorized:
            self.init(.unauthorized, error.message, headers: error.challenge.map { [.wwwAuthenticate: $0] } ?? [:])
        case .unavailable:
            self.init(.serviceUnavailable, error.message)
        }
    }

    /// Upstream's reason phrases (Werkzeug's), which clients print.
    var reasonPhrase: String {
        switch status.code {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Request Entity Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: status.reasonPhrase
        }
    }

    public var body: String {
        let object: JSONValue = ["error": .string(reasonPhrase), "message": .string(message), "status": .int(status.code)]
        return object.serialized()
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
