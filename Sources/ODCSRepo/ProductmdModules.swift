import ODCSCore

/// `compose/metadata/modules.json` (productmd.modules 1.2): variant → arch → module uid
/// (`N:S:V:C`) → its identity and Koji tag, the `modules.yaml` it is described in, and its
/// RPMs in that arch's repository. A compose without modules has `"modules": {}`.
public struct ProductmdModules: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var arch: String
        public var uid: String
        public var kojiTag: String
        /// Relative to `compose/`, e.g. `Temporary/x86_64/os/repodata/<sha256>-modules.yaml.gz`.
        public var modulemdPath: String
        /// NEVRAs (`name-epoch:version-release.arch`).
        public var rpms: [String]

        public init(arch: String, uid: String, kojiTag: String, modulemdPath: String, rpms: [String]) {
            self.arch = arch
            self.uid = uid
            self.kojiTag = kojiTag
            self.modulemdPath = modulemdPath
            self.rpms = rpms
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
        var byArch: [String: [(key: String, value: JSONValue)]] = [:]
        for entry in entries {
            let parts = entry.uid.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            func part(_ index: Int) -> JSONValue { .string(index < parts.count ? parts[index] : "") }
            let value: JSONValue = [
                "metadata": [
                    "uid": .string(entry.uid), "name": part(0), "stream": part(1), "version": part(2), "context": part(3),
                    "koji_tag": .string(entry.kojiTag),
                ],
                "modulemd_path": ["binary": .string(entry.modulemdPath)],
                "rpms": .array(Array(Set(entry.rpms)).sorted().map { .string($0) }),
            ]
            byArch[entry.arch, default: []].append((key: entry.uid, value: value))
        }
        let arches = byArch.keys.sorted().map { (key: $0, value: JSONValue.object(JSONObject(byArch[$0]!))) }
        let modules: JSONValue = arches.isEmpty ? [:] : .object(JSONObject([(key: variant, value: .object(JSONObject(arches)))]))
        let document: JSONValue = [
            "header": ProductmdCompose.header("productmd.modules"),
            "payload": ["compose": compose.composeJSON, "modules": modules],
        ]
        return document.serialized(sortKeys: true)
    }
}
