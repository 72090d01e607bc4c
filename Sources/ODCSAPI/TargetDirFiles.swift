import Foundation
import Hummingbird
import ODCSCore
import ODCSVolume

#if canImport(Glibc)
    import Glibc
#endif

/// `/composes/`: the target dir over HTTP (GET and HEAD), so that a node needs no web server
/// in front to hand out its composes. Files are streamed with their content type, a single
/// byte range is honoured, and directories are listed as HTML, sorted by last modified.
///
/// What may be reached: a path that resolves, after following symlinks, inside the target
/// dir and not into a top-level entry whose name starts with `.` (`.staging`, `.trash`).
/// A symlink between composes (raw_config's `../odcs-<id>`) works; one pointing outside the
/// target dir, a `..` component, or an encoded `/` answers 404.
///
/// Files are user-influenced content on the API's origin (a raw_config repository or a
/// package may put any file into a compose), so none is ever active there: every answer
/// that is not a listing carries `Content-Security-Policy: sandbox` (no script, no form, an
/// opaque origin) and `nosniff`, and markup types (`.html`, `.svg`, ...) are sent as plain
/// text (docs/web.md, "Security headers").
struct TargetDirFiles: Sendable {
    /// The target dir as configured (it may itself be a symlink).
    let root: String
    let fileIO = FileIO()

    static let prefix = "/composes"

    func register(on router: Router<ODCSRequestContext>) {
        for path in ["/composes", "/composes/**"] {
            router.get(RouterPath(path)) { request, context in try await serve(request, context) }
            // The router's own HEAD for GET routes does not reach a recursive wildcard.
            router.head(RouterPath(path)) { request, context in
                let response = try await serve(request, context)
                return Response(status: response.status, headers: response.headers, body: ResponseBody())
            }
        }
    }

    /// What a request path names.
    enum Target: Equatable {
        case file(String)
        case directory(String)
        case notFound
    }

    /// Resolves the URL path below `/composes/` (still percent-encoded) to a file or a
    /// directory inside the target dir.
    func resolve(_ encodedPath: Substring) -> Target {
        var components: [String] = []
        for encoded in encodedPath.split(separator: "/") {
            guard let component = String(encoded).removingPercentEncoding, !component.isEmpty, component != ".", component != "..",
                !component.contains("/"), !component.contains("\0")
            else { return .notFound }
            components.append(component)
        }
        if let first = components.first, first.hasPrefix(".") { return .notFound }
        guard let base = Self.realPath(root) else { return .notFound }
        let joined = components.isEmpty ? base : base + "/" + components.joined(separator: "/")
        guard let resolved = Self.realPath(joined), Self.isInside(resolved, base: base) else { return .notFound }
        switch FileStatus(resolved)?.kind {
        case .directory: return .directory(resolved)
        case .regular: return .file(resolved)
        case .other, nil: return .notFound
        }
    }

    /// Inside the target dir and not in one of its hidden top-level entries.
    static func isInside(_ resolved: String, base: String) -> Bool {
        if resolved == base { return true }
        let prefix = base == "/" ? "/" : base + "/"
        guard resolved.hasPrefix(prefix) else { return false }
        return !resolved.dropFirst(prefix.count).hasPrefix(".")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Every lookup on the volume (realpath, stat, a listing) runs on `BlockingIO.lookup`, and
    /// file contents are read by Hummingbird's `FileIO` on NIO's thread pool: a slow or hung
    /// mount never blocks the threads that serve the API.
    func serve(_ request: Request, _ context: ODCSRequestContext) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(Self.prefix + "/") else { return Self.redirect(to: Self.prefix + "/", query: request.uri.query) }
        let target = try await BlockingIO.lookup.run { resolve(path.dropFirst(Self.prefix.count + 1)) }
        switch target {
        case .notFound:
            return Self.notFound()
        case .directory(let directory):
            guard path.hasSuffix("/") else { return Self.redirect(to: path + "/", query: request.uri.query) }
            let listing = DirectoryListing(
                directory: directory, urlPath: path, isRoot: path == Self.prefix + "/",
                order: DirectoryListing.Order(query: QueryString.items(request.uri.query)))
            let root = root
            guard let entries = try await BlockingIO.lookup.run({ listing.entries(base: Self.realPath(root) ?? root) }) else {
                return Self.notFound()
            }
            return listing.response(entries)
        case .file(let file):
            return try await serveFile(file, request: request, context: context)
        }
    }

    /// Sent with every answer that is not a directory listing.
    static let fileSecurityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; sandbox", .xContentTypeOptions: "nosniff",
    ]

    func serveFile(_ file: String, request: Request, context: ODCSRequestContext) async throws -> Response {
        guard let status = try await BlockingIO.lookup.run({ FileStatus(file) }) else { return Self.notFound() }
        let size = Int(status.size)
        var headers = Self.fileSecurityHeaders
        headers[.contentType] = Self.contentType(of: file)
        headers[.acceptRanges] = "bytes"
        headers[.lastModified] = Self.httpDate(TimeInterval(status.modified))
        switch ByteRange.parse(request.headers[.range], size: size) {
        case .whole:
            headers[.contentLength] = String(size)
            let body = size == 0 ? ResponseBody() : try await fileIO.loadFile(path: file, range: 0...(size - 1), context: context)
            return Response(status: .ok, headers: headers, body: body)
        case .partial(let range):
            headers[.contentLength] = String(range.count)
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            let body = try await fileIO.loadFile(path: file, range: range, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            headers[.contentLength] = "0"
            headers[.contentType] = nil
            return Response(status: .rangeNotSatisfiable, headers: headers, body: ResponseBody())
        }
    }

    static func redirect(to location: String, query: String?) -> Response {
        let target = location + (query.map { $0.isEmpty ? "" : "?" + $0 } ?? "")
        return Response(status: .movedPermanently, headers: [.location: target, .contentLength: "0"])
    }

    static func notFound() -> Response {
        var headers = fileSecurityHeaders
        headers[.contentType] = textPlain
        return Response(status: .notFound, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "Not Found\n")))
    }

    /// Content types by extension; logs and repo files are text so that browsers show them.
    /// Markup that a browser would run (HTML, XHTML, SVG) is text too: shown, never rendered.
    /// XML stays `application/xml` (repository tools and clients expect it for repodata);
    /// the sandbox policy keeps a script in an XHTML-namespaced XML file from running.
    static func contentType(of path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: ".") else { return name == "COMPOSE_ID" || name == "STATUS" ? textPlain : octetStream }
        switch name[name.index(after: dot)...].lowercased() {
        case "repo", "log", "txt", "conf", "spec", "ks": return textPlain
        case "json": return "application/json"
        case "xml": return "application/xml"
        case "html", "htm", "xhtml", "xht", "svg", "shtml": return textPlain
        case "gz": return "application/gzip"
        case "xz": return "application/x-xz"
        case "bz2": return "application/x-bzip2"
        case "zst": return "application/zstd"
        case "rpm": return "application/x-rpm"
        case "sqlite": return "application/vnd.sqlite3"
        case "iso": return "application/x-iso9660-image"
        case "asc", "sig": return "application/pgp-signature"
        default: return octetStream
        }
    }

    static let textPlain = "text/plain; charset=utf-8"
    static let octetStream = "application/octet-stream"

    /// RFC 9110 IMF-fixdate (`Thu, 27 Nov 2026 13:05:09 GMT`), from upstream's wire format.
    static func httpDate(_ seconds: TimeInterval) -> String {
        let iso = Array(ComposeTime.format(Date(timeIntervalSince1970: seconds)))  // 2026-11-27T13:05:09Z
        let days = Int((seconds / 86_400).rounded(.down))
        let weekday = weekdays[((days % 7) + 7 + 4) % 7]  // 1970-01-01 was a Thursday.
        let month = months[(Int(String(iso[5...6])) ?? 1) - 1]
        return "\(weekday), \(String(iso[8...9])) \(month) \(String(iso[0...3])) \(String(iso[11...18])) GMT"
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

/// stat(2) of a path, following symlinks: what a listing and a response need.
struct FileStatus {
    enum Kind { case directory, regular, other }

    var kind: Kind
    var size: Int64
    /// Seconds since the epoch.
    var modified: Int64

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .regular
        default: kind = .other
        }
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec)
    }
}

/// A `Range` request header for one file: only a single `bytes=` range is honoured; several
/// ranges, or a header we do not understand, get the whole file (RFC 9110 allows that).
enum ByteRange: Equatable {
    case whole
    case partial(ClosedRange<Int>)
    case unsatisfiable

    static func parse(_ header: String?, size: Int) -> ByteRange {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .whole }
        let first = parts[0].isEmpty ? nil : Int(parts[0])
        let last = parts[1].isEmpty ? nil : Int(parts[1])
        if !parts[0].isEmpty, first == nil { return .whole }
        if !parts[1].isEmpty, last == nil { return .whole }
        switch (first, last) {
        case (let first?, let last):
            if let last, last < first { return .whole }
            guard first < size else { return .unsatisfiable }
            return .partial(first...min(last ?? size - 1, size - 1))
        case (nil, let suffix?):
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(max(size - suffix, 0)...(size - 1))
        case (nil, nil):
            return .whole
        }
    }
}
