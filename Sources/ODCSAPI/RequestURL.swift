import Hummingbird

/// The external view of a request, as upstream's reverse-proxy fix computes it: `X-Scheme`,
/// `X-Forwarded-Host` and `X-Script-Name` override what the socket says. Used for the
/// absolute URLs of the pagination metadata.
struct RequestURL {
    var scheme: String
    var host: String
    var scriptName: String

    init(_ request: Request) {
        let headers = request.headers
        scheme = headers[.init("X-Scheme")!] ?? headers[.init("X-Forwarded-Proto")!] ?? request.head.scheme ?? "http"
        host = headers[.init("X-Forwarded-Host")!] ?? request.head.authority ?? headers[.init("Host")!] ?? "localhost"
        var script = headers[.init("X-Script-Name")!] ?? ""
        while script.hasSuffix("/") { script.removeLast() }
        scriptName = script
    }

    func absolute(_ path: String) -> String { "\(scheme)://\(host)\(scriptName)\(path)" }
}

/// Query strings in request order, decoded as Werkzeug does (`+` is a space).
enum QueryString {
    static func items(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").compactMap { pair in
            guard !pair.isEmpty else { return nil }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func decode(_ text: Substring) -> String {
        let plusless = String(text.map { $0 == "+" ? " " : $0 })
        return plusless.removingPercentEncoding ?? plusless
    }

    /// `application/x-www-form-urlencoded` as Werkzeug's `url_encode` writes it.
    static func encode(_ items: [(name: String, value: String)]) -> String {
        items.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: ","):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count < 2 ? "0" : "") + hex
            }
        }
        return out
    }
}

extension String {
    /// Percent-decoding without Foundation; nil on a malformed escape or invalid UTF-8.
    fileprivate var removingPercentEncoding: String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
