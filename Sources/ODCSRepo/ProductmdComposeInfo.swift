import ODCSCore

/// `compose/metadata/composeinfo.json` (productmd.composeinfo 1.2) for the single variant
/// `Temporary`, with the paths Pungi writes (relative to `compose/`).
public struct ProductmdComposeInfo: Sendable, Equatable {
    public var compose: ProductmdCompose
    /// The binary arches of the variant (not `src`).
    public var arches: [String]
    public var variant: String

    public init(compose: ProductmdCompose, arches: [String], variant: String = "Temporary") {
        self.compose = compose
        self.arches = arches.sorted()
        self.variant = variant
    }

    public var json: String {
        func perArch(_ path: (String) -> String) -> JSONValue {
            .object(JSONObject(arches.map { (key: $0, value: .string(path($0))) }))
        }
        let variant = variant
        let paths: JSONValue = [
            "os_tree": perArch { "\(variant)/\($0)/os" },
            "packages": perArch { "\(variant)/\($0)/os/Packages" },
            "repository": perArch { "\(variant)/\($0)/os" },
            "debug_packages": perArch { "\(variant)/\($0)/debug/tree/Packages" },
            "debug_repository": perArch { "\(variant)/\($0)/debug/tree" },
            "debug_tree": perArch { "\(variant)/\($0)/debug/tree" },
            "source_packages": perArch { _ in "\(variant)/source/tree/Packages" },
            "source_repository": perArch { _ in "\(variant)/source/tree" },
            "source_tree": perArch { _ in "\(variant)/source/tree" },
        ]
        let document: JSONValue = [
            "header": ProductmdCompose.header("productmd.composeinfo"),
            "payload": [
                "compose": compose.composeJSON,
                "release": [
                    "internal": false, "name": .string(compose.releaseName), "short": .string(compose.releaseShort),
                    "type": "ga", "version": .string(compose.releaseVersion),
                ],
                "variants": .object(
                    JSONObject([
                        (
                            key: variant,
                            value: [
                                "arches": .array(arches.map { .string($0) }), "id": .string(variant), "name": .string(variant),
                                "type": "variant", "uid": .string(variant), "paths": paths,
                            ]
                        )
                    ])),
            ],
        ]
        return document.serialized(sortKeys: true)
    }
}
