import Foundation
import Logging
import ODCSCore
import ODCSKoji
import ODCSRepo
import ODCSVolume
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Generates a compose with Pungi, as upstream ODCS does (`generate_pungi_compose`, reference
/// §10): `raw_config` composes always, and any other source type an operator routes to it.
///
/// The configuration is written into a private temporary directory — the one ODCS renders
/// (`PungiConfig`) or a raw_config repository at the requested commit (`RawConfigCheckout`).
/// The compose directory (the staging directory, which the worker publishes as
/// `<target_dir>/odcs-<id>`) gets `COMPOSE_ID` and `work/global/composeinfo-base.json` first;
/// then `pungi-koji` runs with upstream's command line in its own process group, its output in
/// `pungi-stdout.log` and `pungi-stderr.log`. It succeeded when it exited 0 within
/// `pungi_timeout` and every requested package is in `compose/metadata/rpms.json`. Then the
/// `.repo` file (not for raw_config) or the raw_config symlinks under
/// `<target_dir>/<compose_type>/` are written.
public struct PungiGenerator: ComposeGenerator {
    public struct Configuration: Sendable {
        /// `pungi_koji`: the program (a name in PATH, or a path).
        public var pungiKoji: String = "pungi-koji"
        /// `pungi_koji_args`: extra arguments for every compose ODCS configures.
        public var pungiKojiArgs: [String] = []
        /// `pungi_timeout`: the longest one pungi-koji run may take.
        public var timeout: Duration = .seconds(3600)
        /// `koji_profile`, `mbs_url`, `arches` for the rendered configuration.
        public var kojiProfile: String?
        public var mbsURL: String = "http://localhost/module-build-service"
        public var defaultArches: [String] = ["x86_64"]
        /// `raw_config_urls`.
        public var rawConfigs: [String: RawConfigSource] = [:]
        /// `raw_config_pungi_koji_args`: per raw_config source, instead of `pungiKojiArgs`.
        public var rawConfigPungiKojiArgs: [String: [String]] = [:]
        /// `raw_config_wrapper_conf_path`; nil: the user's config is used as it is.
        public var rawConfigWrapper: String?
        /// `pungi_config_validate`: pungi-config-validate, run on raw configs when set.
        public var configValidate: String?
        /// `raw_config_schema_override`.
        public var schemaOverride: String?
        /// `post_script_timeout`.
        public var postScriptTimeout: Duration = .seconds(600)
        /// The Python that has kobo (Pungi's configuration parser).
        public var python: String = "python3"
        public var git: String = "git"
        /// A git credential helper for raw_config repositories (upstream's odcs-credential-helper).
        public var gitCredentialHelper: String?
        /// For one git or parser command.
        public var gitTimeout: Duration = .seconds(600)
        /// Renders the compose JSON a raw_config wrapper template sees.
        public var renderer: ComposeJSONRenderer?

        public init() {}
    }

    public var configuration: Configuration
    /// The native generators of the routed source types: they resolve a compose (Koji event,
    /// repomd revision, another compose's package set) and decide reuse, as before Pungi.
    public var resolvers: [SourceType: any ComposeGenerator]
    /// For a raw_config compose without `koji_event`: Koji's last event.
    public var koji: KojiClient?
    /// Reserves a productmd id for a compose (`ComposeStore.reservePungiComposeID`): true when
    /// the compose (the second argument) now holds it. nil: an id is free when no raw_config
    /// symlink on the volume has it.
    public var reserveComposeID: (@Sendable (String, Int64) async throws -> Bool)?
    public var now: @Sendable () -> Date

    public init(
        configuration: Configuration, resolvers: [SourceType: any ComposeGenerator] = [:], koji: KojiClient? = nil,
        reserveComposeID: (@Sendable (String, Int64) async throws -> Bool)? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.resolvers = resolvers
        self.koji = koji
        self.reserveComposeID = reserveComposeID
        self.now = now
    }

    public func resolve(_ compose: Compose, logger: Logger) async throws -> Compose {
        if compose.sourceType == .rawConfig {
            guard compose.kojiEvent == nil, let koji else { return compose }
            var resolved = compose
            do {
                resolved.kojiEvent = try await koji.getLastEvent().id
            } catch {
                throw GeneratorError("Koji connection has failed: \(error)")
            }
            return resolved
        }
        return try await resolvers[compose.sourceType]?.resolve(compose, logger: logger) ?? compose
    }

    public func isReusable(_ candidate: Compose, for compose: Compose, logger: Logger) async throws -> Bool {
        try await resolvers[compose.sourceType]?.isReusable(candidate, for: compose, logger: logger) ?? true
    }

    public func generate(_ context: GenerationContext) async throws -> GenerationResult {
        let layout = try ComposeLayout(staging: context.staging, name: context.name, logName: "odcs-pungi")
        let log = StepLog(path: try layout.stepLog, logger: context.logger)
        defer { log.close() }
        do {
            let result = try await run(context, layout: layout, log: log)
            log.info("Compose finished: \(result.pungiComposeID ?? "")")
            return result
        } catch {
            if error is CancellationError || Task.isCancelled {
                log.error("Compose cancelled")
                throw CancellationError()
            }
            var message = "\(error)"
            let pungiErrors = PungiLogErrors.read(context.staging.appending("logs/global/pungi.global.log"))
            if !pungiErrors.isEmpty { message += "\n" + pungiErrors }
            message = layout.published(message: message)
            log.error(message)
            throw GeneratorError(message)
        }
    }

    private func run(_ context: GenerationContext, layout: ComposeLayout, log: StepLog) async throws -> GenerationResult {
        let compose = context.compose
        let isRaw = compose.sourceType == .rawConfig
        let configDirectory = try TemporaryConfigDirectory(compose: compose)
        defer { configDirectory.remove() }
        let td = configDirectory.path

        var rawConfig: RawConfigCheckout?
        if isRaw {
            let checkout = try RawConfigCheckout(
                compose: compose, configuration: configuration, log: layout.logs.appending("global/raw-config.global.log"))
            log.info("Checking out raw_config \(checkout.name) at \(checkout.commit) from \(checkout.source.url)")
            try await checkout.write(into: td, compose: compose, renderer: configuration.renderer)
            rawConfig = checkout
        } else {
            let files = try PungiConfig(
                compose: compose,
                settings: .init(
                    kojiProfile: configuration.kojiProfile, mbsURL: configuration.mbsURL, defaultArches: configuration.defaultArches))
            try files.json.write(toFile: td.appending("pungi.json").string, atomically: true, encoding: .utf8)
            try files.variantsXML.write(toFile: td.appending("variants.xml").string, atomically: true, encoding: .utf8)
            try files.compsXML.write(toFile: td.appending("comps.xml").string, atomically: true, encoding: .utf8)
        }
        let config = try Self.readConfig(td.appending("pungi.json"))

        // The compose id: ODCS's own ComposeInfo, unless the Compose Tracking Service hands it out.
        let usesCTS = config["cts_url"]?.isTruthy == true && config["cts_keytab"]?.isTruthy == true
        var composeID: String?
        if !usesCTS {
            var info = try PungiComposeInfo(
                config: config, label: compose.label, composeType: compose.composeType, date: PungiComposeInfo.date(now()))
            while try await !reserve(info.id, compose: compose, context: context) { info.respin += 1 }
            try info.write(to: context.staging)
            composeID = info.id
            log.info("Compose id \(info.id)")
        }

        if let rawConfig { try await validate(td, rawConfig: rawConfig, staging: context.staging, log: log) }

        let extra =
            rawConfig.map { configuration.rawConfigPungiKojiArgs[$0.name] ?? configuration.pungiKojiArgs } ?? configuration.pungiKojiArgs
        let command = PungiCommand(
            executable: configuration.pungiKoji, configDirectory: td, composeDirectory: context.staging, extraArguments: extra,
            compose: compose, kojiEvent: compose.sourceType == .tag || isRaw ? compose.kojiEvent : nil,
            oldComposes: isRaw ? targetDir(of: context).map { $0.appending(compose.composeType ?? "test") } : nil)
        let timeout = rawConfig.flatMap { $0.source.pungiTimeout }.map { Duration.seconds($0) } ?? configuration.timeout
        try await runPungi(
            command, timeout: timeout, environment: rawConfig.map { ["ODCS_RAW_CONFIG_SOURCE_NAME": $0.name] } ?? [:],
            context: context, log: log)
        if let rawConfig, let script = rawConfig.source.postScript { await runPostScript(script, staging: context.staging, log: log) }

        if usesCTS { composeID = try Self.composeIDFromPungi(context.staging) }
        try checkRequestedPackages(compose, staging: context.staging)

        var dump: String?
        if isRaw {
            if ["production", "development"].contains(compose.composeType ?? "") {
                let path = context.staging.appending("logs/global/config-dump.global.log")
                guard let text = try? String(contentsOfFile: path.string, encoding: .utf8), !text.isEmpty else {
                    throw GeneratorError("Compose \(compose.id): Cannot load Pungi config dump.")
                }
                dump = text
            }
            if let composeID { try linkRawConfig(composeID, context: context, log: log) }
        } else {
            let resultRepoURL =
                context.targetDirURL.isEmpty ? "" : "\(context.targetDirURL)/\(context.name)/compose/\(ComposeLayout.variant)"
            try layout.write(RepoFile(name: context.name, resultRepoURL: resultRepoURL).text, to: try layout.repoFile)
        }
        return GenerationResult(pungiComposeID: composeID, pungiConfigDump: dump)
    }

    /// Runs pungi-koji; failures read as upstream's.
    func runPungi(
        _ command: PungiCommand, timeout: Duration, environment: [String: String], context: GenerationContext, log: StepLog
    ) async throws {
        let stdout = context.staging.appending("pungi-stdout.log")
        let stderr = context.staging.appending("pungi-stderr.log")
        let arguments = command.arguments
        log.info("Running \(RepoError.pythonList(arguments))")
        do {
            try await ExternalCommand(
                arguments, log: stderr, timeout: timeout, workingDirectory: command.configDirectory, environment: environment
            ).run(standardOutputTo: stdout)
        } catch let error as RepoError {
            switch error {
            case .commandTimedOut:
                throw GeneratorError("Compose has taken more time than allowed by configuration (\(timeout.components.seconds) seconds)")
            case .commandFailed(let argv, let status, _):
                throw GeneratorError(
                    "Command '\(RepoError.pythonList(argv))' returned non-zero value "
                        + "\(status), stdout log: \(stdout), stderr log: \(stderr)")
            default:
                throw GeneratorError(error.description)
            }
        }
    }

    /// The target dir the staging directory `<target_dir>/.staging/odcs-<id>-<attempt>` is in.
    func targetDir(of context: GenerationContext) -> FilePath? {
        let parent = context.staging.removingLastComponent()
        guard parent.lastComponent?.string == ".staging" else { return nil }
        return parent.removingLastComponent()
    }

    /// Whether the compose may use the productmd id: reserved for it in the database, or
    /// (without one) not linked on the volume yet.
    func reserve(_ id: String, compose: Compose, context: GenerationContext) async throws -> Bool {
        if let reserveComposeID { return try await reserveComposeID(id, compose.id) }
        guard let target = targetDir(of: context), let type = compose.composeType,
            let link = try? VolumeLayout(targetDir: target).entry(type).appending(components: [id])
        else { return true }
        var info = stat()
        return lstat(link.string, &info) != 0
    }

    static func readConfig(_ path: FilePath) throws -> JSONObject {
        guard let text = try? String(contentsOfFile: path.string, encoding: .utf8),
            case .object(let object) = try? JSONValue.parse(text)
        else { throw GeneratorError("The Pungi configuration pungi.json cannot be read as a JSON object.") }
        return object
    }

    /// With CTS, Pungi writes the ComposeInfo itself.
    static func composeIDFromPungi(_ staging: FilePath) throws -> String {
        let path = staging.appending("work/global/composeinfo-base.json")
        guard let text = try? String(contentsOfFile: path.string, encoding: .utf8), let document = try? JSONValue.parse(text),
            let id = document.objectValue?["payload"]?.objectValue?["compose"]?.objectValue?["id"]?.stringValue
        else { throw GeneratorError("Cannot read the compose id from \(path).") }
        return id
    }
}

/// The private directory pungi-koji runs in, with the configuration files (upstream's mkdtemp).
struct TemporaryConfigDirectory {
    var path: FilePath

    init(compose: Compose) throws {
        let base = FilePath(NSTemporaryDirectory()).appending("odcs-pungi-\(compose.id)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(
            atPath: base.string, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = base
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path.string)
    }
}
