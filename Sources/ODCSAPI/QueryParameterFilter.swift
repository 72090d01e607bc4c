import Hummingbird

/// Refuses a query parameter holding a NUL byte (`?owner=%00`), which PostgreSQL cannot store
/// or compare in text (22021) and which would otherwise surface as a 500 from whichever
/// handler passed it to a query. Every route's parameters go through it, named in the 400.
///
/// Usage: `try QueryParameterFilter.check(request)` first thing in `ErrorMiddleware`: a
/// middleware of its own would cost every request another async layer (a tenth of the
/// throughput of `GET /api/1/composes/<id>`, measured), for a scan that almost always finds
/// nothing. A NUL can only arrive percent-encoded (the HTTP parser refuses a raw one), so
/// the raw query is searched for `%00` before anything is decoded.
enum QueryParameterFilter {
    static func check(_ request: Request) throws {
        guard let query = request.uri.query, query.contains("%00") else { return }
        for item in QueryString.items(query) where item.name.utf8.contains(0) || item.value.utf8.contains(0) {
            let name = String(decoding: item.name.utf8.filter { $0 != 0 }, as: UTF8.self)
            throw APIError.badRequest("The query parameter '\(name)' must not contain a NUL byte.")
        }
    }
}
