import Foundation
import Logging
import ODCSAMQP
import ODCSCore
import ODCSGenerator
import ODCSKoji
import ODCSServices
import ODCSStore
import ODCSTestGenerator
import ODCSVolume
import PostgresNIO
import ServiceLifecycle
import SystemPackage

/// The backend half of a node: the compose worker, the expiry worker, the node registry and
/// one elector per leader-only duty.
extension Node {
    var targetDirectories: TargetDirectories {
        var directories = TargetDirectories(
            defaultDir: FilePath(configuration.targetDir), defaultURL: configuration.targetDirURL,
            extra: configuration.extraTargetDirs.mapValues { FilePath($0) }, trust: volumeTrust)
        directories.trashGrace = configuration.backend.trashGrace
        return directories
    }

    func volumeIdentityCheck(client: PostgresClient) -> VolumeIdentityCheck {
        VolumeIdentityCheck(
            configuration: .init(targetDirectories: targetDirectories), registry: VolumeRegistry(client: client, logger: logger),
            trust: volumeTrust, logger: logger)
    }

    func makeGenerators(client: PostgresClient) -> GeneratorSet {
        let backend = configuration.backend
        if let journal = backend.testJournal {
            logger.warning("test_generator.journal is set: composes are not really generated", metadata: ["journal": "\(journal)"])
            return GeneratorSet(
                all: JournalGenerator(
                    journal: FilePath(journal), node: configuration.nodeID, workDuration: backend.testWork))
        }
        var generators: [SourceType: any ComposeGenerator] = [:]
        for type in SourceType.allCases { generators[type] = UnsupportedGenerator() }
        for type in [SourceType.tag, .build, .pungiCompose, .module] { generators[type] = UnsupportedGenerator(missingSetting: "koji_url") }
        generators[.pulp] = UnsupportedGenerator(missingSetting: "pulp_server_url")
        generators[.repo] = RepoGenerator(
            configuration: .init(
                localRoots: backend.repoSourceRoots.map { FilePath($0) }, defaultArches: configuration.policy.defaultArches,
                assembly: .init(createrepoTimeout: backend.pungiTimeout)))
        if let kojiURL = backend.kojiURL {
            let koji = KojiClient(
                configuration: .init(url: kojiURL, timeout: backend.kojiTimeout, maxRetries: backend.kojiMaxRetries),
                logger: logger)
            let generator = KojiGenerator(
                configuration: .init(
                    topdir: backend.kojiTopdir.map { FilePath($0) }, topurl: backend.kojiTopurl,
                    defaultArches: configuration.policy.defaultArches, assembly: .init(createrepoTimeout: backend.pungiTimeout),
                    gitTimeout: backend.pungiTimeout),
                koji: koji, eventCache: KojiTagCache(store: KojiTagCacheStore(client: client, logger: logger)))
            for type in [SourceType.tag, .build, .pungiCompose] { generators[type] = generator }
            generators[.module] = makeModuleGenerator(koji: generator)
        }
        if let pulp = makePulpGenerator() { generators[.pulp] = pulp }
        let pungi = makePungiGenerator(client: client, natives: generators)
        for type in configuration.pungi.sourceTypes { generators[type] = pungi }
        return GeneratorSet(generators)
    }

    /// raw_config composes, and the source types routed to Pungi (docs/pungi.md); the native
    /// generators still resolve and decide reuse for the types they know.
    func makePungiGenerator(client: PostgresClient, natives: [SourceType: any ComposeGenerator]) -> PungiGenerator {
        let backend = configuration.backend
        var settings = configuration.pungi.generator
        settings.renderer = configuration.renderer
        let koji = backend.kojiURL.map { url in
            KojiClient(
                configuration: .init(url: url, timeout: backend.kojiTimeout, maxRetries: backend.kojiMaxRetries), logger: logger)
        }
        let store = ComposeStore(client: client, logger: logger)
        return PungiGenerator(
            configuration: settings, resolvers: natives.filter { !($0.value is UnsupportedGenerator) }, koji: koji,
            reserveComposeID: { id, composeID in try await store.reservePungiComposeID(id, composeID: composeID) })
    }

    /// The configured event backends (docs/events.md). Broker URLs were checked when the
    /// configuration was loaded.
    func eventBackends() throws -> [any EventBackend] {
        let events = configuration.backend.events
        var backends: [any EventBackend] = []
        if events.amqp {
            let brokers = try events.brokerURLs.map { url in
                var broker = try AMQPConfiguration(url: url)
                broker.connectionName = "odcs \(configuration.nodeID)"
                if var tls = broker.tls {
                    tls.caFile = tls.caFile ?? events.caCert
                    tls.certificateFile = tls.certificateFile ?? events.certFile
                    tls.privateKeyFile = tls.privateKeyFile ?? events.keyFile
                    broker.tls = tls
                }
                return broker
            }
            backends.append(
                AMQPBackend(configuration: .init(brokers: brokers, exchange: events.exchange, routingKey: events.topic), logger: logger))
        }
        if events.webhook {
            backends.append(WebhookBackend(configuration: .init(urls: events.webhookURLs, secret: events.webhookSecret)))
        }
        return backends
    }

    /// Services in start order; the service group stops them in reverse, so the worker
    /// drains before the registry says stopped and the duty locks go last.
    func makeBackend(client: PostgresClient, connector: DatabaseConnector) throws -> [any Service] {
        let backend = configuration.backend
        let metrics = ServiceMetrics()
        let sweeps = ComposeSweeps(client: client, logger: logger)
        let registry = NodeRegistry(client: client, logger: logger)
        let directories = targetDirectories
        let check = backend.leaderCheckInterval

        var rescue = LeaseRescuer.Configuration()
        rescue.interval = backend.rescueInterval
        rescue.leaseTimeout = backend.leaseTimeout
        rescue.maxAttempts = backend.maxAttempts
        rescue.backoff = backend.retryBackoff
        var orphans = OrphanSweeper.Configuration(targetDirectories: directories)
        orphans.interval = backend.orphanSweepInterval
        orphans.minimumAge = backend.orphanMinAge
        orphans.cacheMaxAge = backend.cacheMaxAge
        let outbox = OutboxStore(client: client, logger: logger)
        var pruner = OutboxPruner.Configuration()
        pruner.retention = backend.events.retention
        var space = VolumeRoom.Configuration(targetDirectories: directories)
        space.minFreeBytes = UInt64(backend.minFreeSpace)
        space.minimumAge = backend.minFreeSpaceMinAge
        let room = VolumeRoom(configuration: space, sweeps: sweeps, metrics: metrics, logger: logger)
        var disk = DiskPressureGuard.Configuration()
        disk.interval = backend.minFreeSpaceInterval

        let duties: [(AdvisoryLock, any LeaderDuty)] = [
            (.leaseRescue, LeaseRescuer(configuration: rescue, sweeps: sweeps, metrics: metrics, logger: logger)),
            (.periodicRules, PeriodicRules(configuration: .init(), sweeps: sweeps, nodes: registry, logger: logger)),
            (.orphanSweep, OrphanSweeper(configuration: orphans, sweeps: sweeps, metrics: metrics, logger: logger)),
            (.clusterGauges, ClusterGauges(configuration: .init(), sweeps: sweeps, nodes: registry, metrics: metrics, logger: logger)),
            (.diskPressure, DiskPressureGuard(configuration: disk, room: room, logger: logger)),
            (.outboxPruner, OutboxPruner(configuration: pruner, outbox: outbox, logger: logger)),
        ]
        let electors: [any Service] = duties.map { duty, service in
            var elector = LeaderElector.Configuration(nodeID: configuration.nodeID, duty: service.name, lock: duty)
            elector.checkInterval = check
            elector.retryInterval = check
            return LeaderElector(configuration: elector, connector: connector, duty: service, metrics: metrics, logger: logger)
        }

        let host = ProcessInfo.processInfo.hostName
        let reporter = NodeReporter(
            configuration: .init(
                nodeID: configuration.nodeID, host: host, version: ODCSVersion.wire, workers: backend.numConcurrentPungi),
            registry: registry, logger: logger)

        var expiry = ExpiryWorker.Configuration(targetDirectories: directories)
        expiry.interval = backend.expiryInterval

        var worker = ComposeWorker.Configuration(nodeID: configuration.nodeID, hostName: host, targetDirectories: directories)
        worker.slots = backend.numConcurrentPungi
        worker.pollInterval = backend.pollInterval
        worker.leaseTimeout = backend.leaseTimeout
        // A raw_config source may allow its pungi-koji run longer than pungi_timeout.
        worker.generationTimeout = max(
            backend.pungiTimeout, .seconds(configuration.pungi.generator.rawConfigs.values.compactMap(\.pungiTimeout).max() ?? 0))
        worker.clusterCap = backend.maxGenerating > 0 ? backend.maxGenerating : nil
        worker.listen = backend.listenNotify
        worker.drainTimeout = backend.drainTimeout
        worker.fieldRules = ComposeFieldRules(policy: configuration.policy)

        var publisher = OutboxPublisher.Configuration()
        publisher.batchSize = backend.events.batchSize
        publisher.pollInterval = backend.events.pollInterval
        publisher.retryBackoff = backend.events.retryBackoff
        publisher.listen = backend.listenNotify

        return electors + [
            reporter,
            volumeIdentityCheck(client: client),
            OutboxPublisher(
                configuration: publisher, outbox: outbox, backends: try eventBackends(), renderer: configuration.renderer,
                connector: connector, logger: logger),
            ExpiryWorker(configuration: expiry, sweeps: sweeps, metrics: metrics, logger: logger),
            ComposeWorker(
                configuration: worker, queue: ComposeQueue(client: client, logger: logger), generators: makeGenerators(client: client),
                connector: connector, metrics: metrics, logger: logger, room: room),
        ]
    }
}

/// The store's tag cache as the Koji generator's event cache.
struct KojiTagCache: KojiEventCache {
    var store: KojiTagCacheStore

    func lastEvent(tag: String) async throws -> Int64? { try await store.lastEvent(tag: tag) }
    func record(tag: String, event: Int64) async throws { try await store.record(tag: tag, event: event) }
}
