import ODCSCore
import SystemPackage

/// One entry of `raw_config_urls` (reference §10.6): where a named Pungi configuration lives.
///
///     raw_config_urls:
///       fedora:
///         url: https://pagure.io/pungi-fedora.git
///         config_filename: fedora.conf        # "sub/dir/fedora.conf" also sets path
///         pungi_timeout: 14400                # optional
///         schema_override: /etc/odcs/x.json   # optional, for pungi_config_validate
///         raw_config_wrapper: /etc/odcs/w.conf  # optional, overrides raw_config_wrapper_conf_path
///         post_script: [/usr/bin/notify, --done]  # optional argv run in the compose dir afterwards
///         commit: 0123abcd                    # optional: always this commit, whatever the request says
///         token_file: /etc/odcs/git-token     # optional: sent to https git hosts as a bearer token
public struct RawConfigSource: Sendable, Equatable {
    public var url: String
    public var configFilename: String
    public var path: String?
    public var commit: String?
    public var pungiTimeout: Int?
    public var schemaOverride: String?
    public var wrapper: String?
    public var postScript: [String]?
    public var tokenFile: String?

    public init(
        url: String, configFilename: String, path: String? = nil, commit: String? = nil, pungiTimeout: Int? = nil,
        schemaOverride: String? = nil, wrapper: String? = nil, postScript: [String]? = nil, tokenFile: String? = nil
    ) {
        self.url = url
        // Upstream: a config file name with a directory names the directory as `path`.
        if let slash = configFilename.lastIndex(of: "/") {
            self.path = String(configFilename[..<slash])
            self.configFilename = String(configFilename[configFilename.index(after: slash)...])
        } else {
            self.path = path
            self.configFilename = configFilename
        }
        self.commit = commit
        self.pungiTimeout = pungiTimeout
        self.schemaOverride = schemaOverride
        self.wrapper = wrapper
        self.postScript = postScript
        self.tokenFile = tokenFile
    }

    /// Reads one `raw_config_urls` entry; the error names the bad field.
    public init(name: String, json: JSONValue) throws {
        guard case .object(let settings) = json, let url = settings["url"]?.stringValue, !url.isEmpty,
            let filename = settings["config_filename"]?.stringValue, !filename.isEmpty
        else { throw GeneratorError("raw_config_urls.\(name) must be a mapping with url and config_filename") }
        func text(_ key: String) throws -> String? {
            guard let value = settings[key] else { return nil }
            guard let text = value.stringValue else { throw GeneratorError("raw_config_urls.\(name).\(key) must be a string") }
            return text
        }
        var timeout: Int?
        switch settings["pungi_timeout"] {
        case nil: break
        case .int(let seconds) where seconds > 0: timeout = seconds
        default: throw GeneratorError("raw_config_urls.\(name).pungi_timeout must be a positive integer")
        }
        var postScript: [String]?
        if let value = settings["post_script"] {
            guard let list = value.arrayValue?.compactMap(\.stringValue), list.count == value.arrayValue?.count, !list.isEmpty else {
                throw GeneratorError("raw_config_urls.\(name).post_script must be a non-empty list of strings (an argv)")
            }
            postScript = list
        }
        self.init(
            url: url, configFilename: filename, path: try text("path"), commit: try text("commit"), pungiTimeout: timeout,
            schemaOverride: try text("schema_override"), wrapper: try text("raw_config_wrapper"), postScript: postScript,
            tokenFile: try text("token_file"))
        let parts = (self.path ?? "").split(separator: "/").map(String.init) + [self.configFilename]
        guard !parts.contains(".."), !parts.contains("."), !(self.path ?? "").hasPrefix("/") else {
            throw GeneratorError("raw_config_urls.\(name): path and config_filename must stay inside the repository")
        }
    }

    /// A commit (or branch or tag name) that git can only read as a revision: no option, no
    /// revision syntax beyond a plain name, nothing a shell would treat specially.
    static func isPlainRevision(_ revision: String) -> Bool {
        guard !revision.isEmpty, revision.count <= 255, !revision.hasPrefix("-"), !revision.hasPrefix("/"),
            !revision.contains(".."), !revision.hasSuffix("/"), !revision.hasSuffix(".lock")
        else { return false }
        return revision.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || "._-/+".unicodeScalars.contains(scalar))
        }
    }
}
