import Hummingbird
import Logging
import ODCSAPI
import ODCSStore
import ODCSVolume
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// The composition root: a node's database, its HTTP API and (later) its workers, run as
/// one service group. Services start in order and stop in reverse: HTTP stops before the pool.
public struct Node: Sendable {
    public let configuration: NodeConfiguration
    public let registry: PrometheusCollectorRegistry
    let logger: Logger
    /// Whether the target dirs are the cluster's volume: untrusted until the first check.
    let volumeTrust = VolumeTrust(untrustedBecause: "the target dirs have not been checked yet")
    /// Out of rotation from SIGTERM on, still serving for `http.shutdown_grace_seconds`.
    let shutdownGrace: ShutdownGrace

    public init(configuration: NodeConfiguration, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        self.shutdownGrace = ShutdownGrace(grace: configuration.shutdownGrace, logger: logger)
    }

    /// Runs until SIGTERM/SIGINT. Starts the embedded PostgreSQL when no database URL is set.
    public func run() async throws {
        for warning in configuration.warnings { logger.warning("\(warning)") }
        GenerationPriority.set(configuration.backend.generationNice)
        // Before any connection is opened: a flood of HTTP connections must find the limit
        // as high as this process may set it (FileDescriptorBudget).
        let files = FileDescriptorBudget.raiseSoftLimit()
        if let before = files.raisedFrom {
            logger.info("raised the open-files limit to the hard limit", metadata: ["from": "\(before)", "to": "\(files.limit)"])
        }
        try await withDatabase { url in try await serve(url: url, fileLimit: files.limit) }
    }

    /// Applies migrations and returns (for `odcs migrate`).
    public func migrate() async throws -> [Int] {
        try await withDatabase { url in
            try await withClient(url: url) { client in try await Migrator(client: client, logger: logger).migrate() }
        }
    }

    func withDatabase<R: Sendable>(_ body: @Sendable (DatabaseURL) async throws -> R) async throws -> R {
        if let text = configuration.databaseURL {
            let url = try DatabaseURL(parsing: text)
            logger.info("using PostgreSQL", metadata: ["database": "\(url.redacted)"])
            return try await body(url)
        }
        let options = EmbeddedPostgres.Options(
            stateDir: configuration.stateDir, binDir: configuration.embeddedPostgresBinDir,
            port: configuration.embeddedPostgresPort)
        return try await EmbeddedPostgres.withServer(options, logger: logger) { server in try await body(server.url) }
    }

    func makeClient(url: DatabaseURL) -> PostgresClient {
        PostgresClient(
            configuration: url.clientConfiguration(
                maxConnections: configuration.databaseMaxConnections, connectTimeout: configuration.databaseConnectTimeout),
            backgroundLogger: logger)
    }

    func withClient<R: Sendable>(url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> R) async throws -> R {
        let client = makeClient(url: url)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Migrates first (with a short-lived pool), so that no worker claims from an old
    /// schema, then runs the pool, the backend and the HTTP API as one service group.
    func serve(url: DatabaseURL, fileLimit: Int) async throws {
        if configuration.migrateOnStart {
            try await withClient(url: url) { client in _ = try await Migrator(client: client, logger: logger).migrate() }
        }
        // The volume's identity before anything claims, expires or sweeps (VolumeIdentityCheck).
        try await withClient(url: url) { client in _ = await volumeIdentityCheck(client: client).checkOnce() }
        let client = makeClient(url: url)
        let connector = DatabaseConnector(
            configuration: try url.connectionConfiguration(connectTimeout: configuration.databaseConnectTimeout))
        let budget = FileDescriptorBudget(
            limit: fileLimit, databaseConnections: configuration.databaseMaxConnections, duties: AdvisoryLock.duties.count)
        let (httpLimits, warning) = budget.fit(configuration.httpLimits)
        if let warning { logger.warning("\(warning)") }
        let events = makeEventHub(client: client, connector: connector)
        let app = makeApplication(client: client, httpLimits: httpLimits, events: events)
        // The event hub starts before the HTTP server and stops after it: the server's
        // graceful shutdown ends the streams first, and none is left waiting on a stopped hub.
        // The shutdown grace comes last, so SIGTERM reaches it first: the node leaves
        // rotation while the server still answers.
        let pool = BoundedShutdown(service: client, name: "PostgresClient", limit: .seconds(10), logger: logger)
        let services: [any Service] =
            [pool] + (try makeBackend(client: client, connector: connector)) + [events, app, shutdownGrace]
        var group = ServiceGroupConfiguration(
            services: services.map { StoppingService(service: $0, logger: logger) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        let bounds = Self.shutdownBounds(drainTimeout: configuration.backend.drainTimeout + configuration.shutdownGrace)
        group.maximumGracefulShutdownDuration = bounds.graceful
        group.maximumCancellationDuration = bounds.cancellation
        try await ServiceGroup(configuration: group).run()
    }

    /// The HTTP API with `httpLimits` (default: the configured ones, unchecked against the
    /// file limit) and, when given, the node's event hub behind `/api/1/events/`.
    public func makeApplication(
        client: PostgresClient, httpLimits: HTTPServerLimits? = nil, events: EventHub? = nil
    ) -> some ApplicationProtocol {
        let store = ComposeStore(client: client, logger: logger)
        let migrator = Migrator(client: client, logger: logger)
        let router = ODCSRouter.make(
            store: store, configuration: configuration.apiConfiguration(logger: logger), metrics: MetricsExporter(registry: registry),
            events: events,
            readiness: { [volumeTrust, shutdownGrace] in
                if shutdownGrace.isLeavingRotation { throw Readiness.NotReady(description: "shutting down") }
                try await Readiness.check(store: store, migrator: migrator, volume: volumeTrust)
            }
        )
        let limits = httpLimits ?? configuration.httpLimits
        var app = Application(
            router: router, server: .guardedHTTP1(limits, logger: logger),
            configuration: limits.applying(
                to: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "odcs"), logger: logger),
            logger: logger)
        let migrateOnStart = configuration.migrateOnStart
        let logger = logger
        app.beforeServerStarts {
            if migrateOnStart { try await migrator.migrate() }
            logger.info("node ready", metadata: ["node": "\(configuration.nodeID)"])
        }
        return app
    }
}

/// `/readyz`: the database answers, its schema is at least the one this binary expects, and
/// the target dirs are the cluster's volume (`VolumeIdentityCheck`).
///
/// A newer schema is fine: migrations only add (tables, nullable or defaulted columns,
/// indexes, triggers), so the previous release's nodes keep serving while a rolling upgrade
/// replaces them after the migration Job (docs/operations.md, "Upgrading"). An older schema
/// is not: this binary's statements may need what it lacks.
public enum Readiness {
    public struct NotReady: Error, CustomStringConvertible {
        public var description: String
    }

    public static func check(store: ComposeStore, migrator: Migrator, volume: VolumeTrust = .unchecked) async throws {
        do { try await store.ping() } catch { throw NotReady(description: "database unreachable") }
        if let reason = volume.reason { throw NotReady(description: reason) }
        let current = try await migrator.currentVersion()
        guard current >= migrator.latestVersion else {
            throw NotReady(description: "schema version \(current), this node needs \(migrator.latestVersion)")
        }
    }
}
