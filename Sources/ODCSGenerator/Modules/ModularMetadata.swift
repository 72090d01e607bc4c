/// The modules of a compose, for its assembly: the `modules.yaml` added to each os
/// repository, and each module's uid, Koji tag and artifacts for modules.json.
struct ModularMetadata: Sendable {
    struct Module: Sendable {
        var nsvc: String
        var kojiTag: String
        /// NEVRAs from the modulemd's `artifacts.rpms`.
        var artifacts: [String]
    }

    var modulesYAML: String
    var modules: [Module]
    /// How many `modulemd-defaults` documents `modulesYAML` has.
    var defaults: Int
}
