import ODCSCore
import ODCSGenerator

/// The generators of the source types that ask other services: `module` (the Module Build
/// Service, then Koji) and `pulp` (Pulp). Without Pulp configured, pulp composes fail saying
/// that `pulp_server_url` is not configured; without `mbs_url`, module composes other than
/// those from `modular_koji_tags` fail saying that `mbs_url` is missing.
extension Node {
    func makeModuleGenerator(koji: KojiGenerator) -> ModuleGenerator {
        let services = configuration.sourceServices
        return ModuleGenerator(
            configuration: .init(
                mbsURL: services.mbsURL, baseModuleNames: configuration.policy.baseModuleNames, mbsTimeout: .seconds(services.netTimeout)),
            koji: koji)
    }

    func makePulpGenerator() -> PulpGenerator? {
        let services = configuration.sourceServices
        guard let serverURL = services.pulpServerURL else { return nil }
        let allowedArches = configuration.values["allowed_arches"]?.arrayValue?.compactMap(\.stringValue) ?? ["x86_64"]
        return PulpGenerator(
            configuration: .init(
                serverURL: serverURL, username: services.pulpUsername, password: services.pulpPassword,
                sslCertificate: services.pulpSSLCert, sslKey: services.pulpSSLKey, timeout: .seconds(services.netTimeout),
                emptyRepositoryArches: allowedArches, createrepoTimeout: configuration.backend.pungiTimeout))
    }
}
