/// The modules of a compose, for its assembly: the `modules.yaml` added to each os
/// repository, and each module's uid, Koji tag and per-arch artifacts for modules.json.
struct ModularMetadata: Sendable {
    struct Module: Sendable {
        var nsvc: String
        var kojiTag: String
        /// arch → NEVRAs from that arch's modulemd `artifacts.rpms` (source RPMs included).
        var artifacts: [String: [String]]
    }

    /// arch → the `modules.yaml` of that arch's os repository; an arch without modules has none.
    var modulesYAML: [String: String]
    var modules: [Module]
    /// How many `modulemd-defaults` documents the `modules.yaml` files have, at most.
    var defaults: Int
}
