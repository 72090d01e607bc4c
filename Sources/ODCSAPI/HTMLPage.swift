import Crypto
import Foundation
import Hummingbird
import NIOCore

/// A server-rendered HTML page of the web view: one document with inline CSS, no scripts,
/// and a `data:` favicon so that a browser asks the node for nothing the page does not link.
///
/// Usage: append to `body` with `text(_:)` for every value (compose fields are user input),
/// raw markup only for literals, then `response()`.
struct HTMLPage {
    var title: String
    /// Seconds after which the browser reloads the page (`<meta http-equiv="refresh">`).
    var refreshSeconds: Int?
    /// Whether the node serves `/composes/`, which the navigation then links.
    var servesFiles: Bool
    var body = ""

    init(title: String, refreshSeconds: Int? = nil, servesFiles: Bool) {
        self.title = title
        self.refreshSeconds = refreshSeconds
        self.servesFiles = servesFiles
    }

    /// Appends escaped text.
    mutating func text(_ value: String) { body += HTMLPage.escape(value) }

    /// Appends raw markup (literals and already escaped fragments only).
    mutating func raw(_ markup: String) { body += markup }

    /// Appends `<a href="url">label</a>`, both escaped.
    /// One table row of escaped text cells.
    mutating func row(_ cells: [String]) {
        raw("<tr>")
        for cell in cells {
            raw("<td>")
            text(cell)
            raw("</td>")
        }
        raw("</tr>\n")
    }

    mutating func link(_ url: String, _ label: String) {
        body += "<a href=\"" + HTMLPage.escape(url) + "\">" + HTMLPage.escape(label) + "</a>"
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    var html: String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        if let refreshSeconds { out += "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">\n" }
        out += "<title>" + HTMLPage.escape(title) + "</title>\n"
        out += "<link rel=\"icon\" href=\"" + HTMLPage.favicon + "\">\n"
        out += "<style>" + HTMLPage.style + "</style>\n</head>\n<body>\n"
        out += "<header><nav aria-label=\"Main\"><a href=\"/\">Composes</a> <a href=\"/ui/nodes\">Nodes</a> "
        if servesFiles { out += "<a href=\"/composes/\">Files</a> " }
        out += "<a href=\"/api/1/about/\">API</a></nav></header>\n"
        out += "<main>\n<h1>" + HTMLPage.escape(title) + "</h1>\n" + body + "</main>\n</body>\n</html>\n"
        return out
    }

    func response(status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTMLPage.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// What every page may load: its own `<style>` element (by hash, so an injected one would
    /// not apply), the `data:` favicon, and a form that submits to this origin. Nothing else:
    /// no script, no frame, no other origin's style or image (docs/web.md, "Security headers").
    static let contentSecurityPolicy =
        "default-src 'none'; style-src '\(sourceHash(style))'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// A CSP source expression that allows exactly this inline text: `sha256-<base64>`.
    static func sourceHash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }

    /// Sent with every HTML page: the policy above, no MIME sniffing, no framing (for
    /// browsers without `frame-ancestors`), and no Referer to the sites the pages link to.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff", .xFrameOptions: "DENY",
        .referrerPolicy: "no-referrer",
    ]

    /// A one-colour square: browsers ask for `/favicon.ico` unless a page names an icon.
    static let favicon =
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%23294172'/%3E%3C/svg%3E"

    static let style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
        header{background:#294172;padding:.5rem 1rem}header a{color:#fff;margin-right:1rem;font-weight:600}
        main{padding:1rem}h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin-top:1.5rem}
        table{border-collapse:collapse;background:#fff}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
        th{background:#eef}td.num{text-align:right}code,td.wrap{word-break:break-all}
        .state-done{color:#13650d}.state-failed{color:#a40000}.state-generating{color:#7a4d00}.state-wait{color:#444}.state-removed{color:#777}
        form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin-bottom:1rem}
        form.filters label{display:flex;flex-direction:column;font-size:.9rem}
        nav.pages a,nav.pages span{margin-right:.75rem}p.note{color:#555;font-size:.9rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        """
}
