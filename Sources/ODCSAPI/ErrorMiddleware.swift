import Hummingbird
import Logging
import NIOHTTP1
import ODCSCore
import ODCSStore

/// Turns every error into upstream's JSON error body, answers OPTIONS, gives 405 with
/// `Allow` for a known path under a wrong method (upstream answers both with 500), and
/// refuses a NUL in a query parameter (`QueryParameterFilter`). A passing database fault is
/// 503 with `Retry-After`, never 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ODCSRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        // Looked up only when it answers: OPTIONS, or a 404 or 405 below.
        if request.method == .options, let allowed = RouteTable.allowedMethods(for: request.uri.path) {
            return Response(status: .ok, headers: [.allow: allowed.joined(separator: ", "), .contentLength: "0"])
        }
        try QueryParameterFilter.check(request)
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPParserError {
            // A body that breaks HTTP/1.1 framing (a bad chunk size, ...) is the client's
            // fault: Hummingbird answers it with 400 and closes the connection, which only
            // works if the error reaches it as it is.
            throw error
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            if let allowed = RouteTable.allowedMethods(for: request.uri.path), !allowed.contains(request.method.rawValue) {
                throw APIError(
                    .methodNotAllowed, "The method is not allowed for the requested URL.",
                    headers: [.allow: allowed.joined(separator: ", ")])
            }
            throw APIError.routeNotFound
        } catch let error as HTTPError {
            throw APIError(error.status, error.body ?? error.status.reasonPhrase)
        } catch let error where TransientDatabaseError.kind(of: error) != nil || error is Deadline.Exceeded {
            // A database restarting or failing over (or a deadlock the request lost): the
            // same request a moment later may well succeed, so it is the server's passing
            // fault, not an internal error (docs/operations.md, "Database restarts"). So is a
            // statement left unanswered (a connection the restart ended: ComposeReader/Writer).
            context.logger.warning("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.databaseUnavailable
        } catch let error as StoreError {
            if case .composeNotFound = error { throw APIError.notFound("No such compose found.") }
            context.logger.error("store error", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "The server failed to handle the request.")
        } catch {
            // Database and other internal errors: the detail goes to the log, never to the client.
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.internalServerError, "The server failed to handle the request.")
        }
    }
}

/// The routes upstream serves, for OPTIONS and 405 answers.
enum RouteTable {
    static func allowedMethods(for path: String) -> [String]? {
        switch path {
        case "/api/1/composes/", "/api/1/composes": return ["GET", "HEAD", "OPTIONS", "POST"]
        case "/api/1/about/", "/api/1/about", "/api/1/metrics/", "/api/1/metrics", "/api/1/nodes/", "/api/1/nodes", "/healthz",
            "/readyz", "/api/1/events/", "/api/1/events", "/api/1/openapi.json",
            // The web view and the target dir's files (docs/web.md).
            "/", "/ui/nodes", "/composes", "/composes/":
            return ["GET", "HEAD", "OPTIONS"]
        case _ where path.hasPrefix("/composes/"):
            return ["GET", "HEAD", "OPTIONS"]
        case _ where path.hasPrefix("/ui/composes/") && Self.isID(path.dropFirst("/ui/composes/".count)):
            return ["GET", "HEAD", "OPTIONS"]
        default:
            let prefix = "/api/1/composes/"
            if path.hasPrefix(prefix) {
                let id = path.dropFirst(prefix.count)
                if Self.isID(id) {
                    return ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH"]
                }
            }
            return nil
        }
    }

    static func isID(_ text: Substring) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
}
