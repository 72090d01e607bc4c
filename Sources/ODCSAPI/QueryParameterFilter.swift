import Hummingbird

/// Refuses a query parameter holding a NUL byte (`?owner=%00`), which PostgreSQL cannot store
/// or compare in text (22021) and which would otherwise surface as a 500 from whichever
/// handler passed it to a query. Every route's parameters go through it, named in the 400.
struct QueryParameterFilter: RouterMiddleware {
    typealias Context = ODCSRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        for item in QueryString.items(request.uri.query) where item.name.utf8.contains(0) || item.value.utf8.contains(0) {
            let name = String(decoding: item.name.utf8.filter { $0 != 0 }, as: UTF8.self)
            throw APIError.badRequest("The query parameter '\(name)' must not contain a NUL byte.")
        }
        return try await next(request, context)
    }
}
