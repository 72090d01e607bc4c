import ODCSCore

/// `compose/metadata/rpms.json` (productmd.rpms 1.2): variant → arch → source RPM NEVRA →
/// RPM NEVRA → `{category, path, sigkey}`. A source RPM is listed under every binary arch
/// whose packages it built.
public struct ProductmdRPMs: Sendable, Equatable {
    public enum Category: String, Sendable {
        case binary
        case debug
        case source
    }

    public struct Entry: Sendable, Equatable {
        public var arch: String
        public var sourceNEVRA: String
        public var nevra: String
        public var category: Category
        /// Relative to `compose/`, e.g. `Temporary/x86_64/os/Packages/f/foo-1.0-1.x86_64.rpm`.
        public var path: String
        /// The short signing key id, nil when unsigned (or not known).
        public var sigkey: String?

        public init(arch: String, sourceNEVRA: String, nevra: String, category: Category, path: String, sigkey: String? = nil) {
            self.arch = arch
            self.sourceNEVRA = sourceNEVRA
            self.nevra = nevra
            self.category = category
            self.path = path
            self.sigkey = sigkey
        }
    }

    public var compose: ProductmdCompose
    public var variant: String
    public var entries: [Entry]

    public init(compose: ProductmdCompose, variant: String = "Temporary", entries: [Entry] = []) {
        self.compose = compose
        self.variant = variant
        self.entries = entries
    }

    public var json: String {
        var byArch: [String: [String: [(key: String, value: JSONValue)]]] = [:]
        for entry in entries {
            let value: JSONValue = [
                "category": .string(entry.category.rawValue), "path": .string(entry.path),
                "sigkey": entry.sigkey.map { .string($0) } ?? .null,
            ]
            byArch[entry.arch, default: [:]][entry.sourceNEVRA, default: []].append((key: entry.nevra, value: value))
        }
        let arches = byArch.keys.sorted().map { arch in
            let sources = byArch[arch]!.keys.sorted().map { source in
                (key: source, value: JSONValue.object(JSONObject(byArch[arch]![source]!)))
            }
            return (key: arch, value: JSONValue.object(JSONObject(sources)))
        }
        let document: JSONValue = [
            "header": ProductmdCompose.header("productmd.rpms"),
            "payload": [
                "compose": compose.composeJSON,
                "rpms": .object(JSONObject([(key: variant, value: .object(JSONObject(arches)))])),
            ],
        ]
        return document.serialized(sortKeys: true)
    }
}
