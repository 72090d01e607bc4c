/// A module as a compose takes it (Pungi's `variant.arch_mmds`): for each arch of the compose,
/// the module's modulemd document of that arch and the RPM artifacts it lists.
struct ArchModule: Sendable {
    var nsvc: String
    var kojiTag: String
    /// arch → the modulemd document (as the build's `modulemd.<arch>.txt` holds it).
    var documents: [String: String]
    /// arch → the NEVRAs of that document's `artifacts.rpms`.
    var artifacts: [String: [String]]

    init(nsvc: String, kojiTag: String, documents: [String: String]) throws {
        self.nsvc = nsvc
        self.kojiTag = kojiTag
        self.documents = documents
        self.artifacts = try documents.mapValues { try ModuleMetadata(yaml: $0).artifacts }
    }

    /// Every arch's artifacts, once: what the module's content tag is limited to.
    var allArtifacts: Set<String> { Set(artifacts.values.joined()) }
}
