import Foundation
import ODCSCore

/// Where module and pulp composes look things up: the Module Build Service and the Pulp
/// server, with the Pulp credentials (docs/modules-and-pulp.md).
public struct SourceServiceSettings: Sendable {
    public var mbsURL: String?
    public var pulpServerURL: String?
    public var pulpUsername: String?
    /// From `pulp_password_file` or the environment (`ODCS_PULP_PASSWORD`), never the file.
    public var pulpPassword: String?
    public var pulpSSLCert: String?
    public var pulpSSLKey: String?
    /// Seconds one MBS or Pulp request may take (upstream's `net_timeout`).
    public var netTimeout: Int

    init(values: [String: JSONValue]) throws {
        func optional(_ key: String) -> String? { values[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        mbsURL = optional("mbs_url")
        pulpServerURL = optional("pulp_server_url")
        pulpUsername = optional("pulp_username")
        pulpSSLCert = optional("pulp_ssl_cert")
        pulpSSLKey = optional("pulp_ssl_key")
        if case .int(let seconds) = values["net_timeout"] { netTimeout = seconds } else { netTimeout = 120 }
        for (key, url) in [("mbs_url", mbsURL), ("pulp_server_url", pulpServerURL)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ConfigurationError("configuration key \(key) must be an http(s) URL, got \(url)")
            }
        }
        if (pulpSSLCert == nil) != (pulpSSLKey == nil) {
            throw ConfigurationError("configuration keys pulp_ssl_cert and pulp_ssl_key must be set together")
        }
        switch (optional("pulp_password_file"), optional("pulp_password")) {
        case (.some, .some):
            throw ConfigurationError("pulp_password_file and ODCS_PULP_PASSWORD are both set; keep one")
        case (.some(let file), nil):
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError("configuration key pulp_password_file: cannot read \(file)")
            }
            pulpPassword = String(text.trimmingSuffix(while: { $0 == "\n" || $0 == "\r" }))
        case (nil, let password):
            pulpPassword = password
        }
        if pulpPassword != nil, pulpUsername == nil {
            throw ConfigurationError("configuration key pulp_username must be set with a Pulp password")
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
