/// The URLs a request may make a node fetch (repositories, lookaside repositories, another
/// compose's variant, module defaults): a known scheme, a host, no user part, nothing a
/// command line or a log could misread, and — when the operator sets
/// `repo_source_url_prefixes` — under one of the allowed prefixes.
public enum URLRules {
    /// `scheme://host[:port][/path]` with one of `schemes`; no `user@`, no whitespace, control
    /// character or backslash anywhere.
    public static func isFetchable(_ url: String, schemes: Set<String> = ["http", "https"]) -> Bool {
        guard let (scheme, authority, _) = split(url), schemes.contains(scheme) else { return false }
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7f...0x9f).contains($0.value) || $0 == "\\" }) else {
            return false
        }
        guard !authority.isEmpty, !authority.contains("@") else { return false }
        return authority.unicodeScalars.allSatisfy { scalar in
            ComposeFieldRules.Pattern.isASCIIAlphanumeric(scalar) || ".-:[]".unicodeScalars.contains(scalar)
        }
    }

    /// True when `prefixes` is empty (upstream's behaviour: any http(s) URL), else when `url`
    /// starts with a prefix at a boundary: `https://repos.example.com` allows
    /// `https://repos.example.com/x`, never `https://repos.example.com.evil.net/x`. Scheme and
    /// host compare case-insensitively.
    public static func isAllowed(_ url: String, prefixes: [String]) -> Bool {
        guard !prefixes.isEmpty else { return true }
        let normalised = normalise(url)
        return prefixes.contains { prefix in
            let allowed = normalise(prefix)
            guard normalised.hasPrefix(allowed) else { return false }
            if allowed.hasSuffix("/") || normalised.count == allowed.count { return true }
            let next = normalised[normalised.index(normalised.startIndex, offsetBy: allowed.count)]
            return next == "/" || next == "?" || next == "#"
        }
    }

    /// Scheme and authority lower-cased; the rest as it is.
    static func normalise(_ url: String) -> String {
        guard let (scheme, authority, rest) = split(url) else { return url }
        return scheme + "://" + authority.lowercased() + rest
    }

    /// (lower-cased scheme, authority, the rest from the first `/`, `?` or `#`).
    static func split(_ url: String) -> (String, String, String)? {
        guard let range = url.range(of: "://") else { return nil }
        let scheme = url[..<range.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.unicodeScalars.allSatisfy(ComposeFieldRules.Pattern.isASCIIAlphanumeric) else { return nil }
        let afterScheme = url[range.upperBound...]
        let end = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        return (scheme, String(afterScheme[..<end]), String(afterScheme[end...]))
    }
}
