import Foundation
import Logging
import ODCSAPI
import ODCSCore

/// A node's validated configuration, typed. Built only by `ConfigurationLoader`; every
/// service gets its own slice of it.
public struct NodeConfiguration: Sendable {
    public var values: [String: JSONValue]

    public var host: String
    public var port: Int
    public var nodeID: String
    public var stateDir: String
    public var logLevel: String
    public var logFormat: String
    public var maxRequestBodyBytes: Int
    /// `http.*`: timeouts for slow clients and the connection cap (before the file limit check).
    public var httpLimits: HTTPServerLimits
    /// `http.shutdown_grace_seconds`: how long a stopping node stays out of rotation, still serving.
    public var shutdownGrace: Duration
    public var migrateOnStart: Bool
    public var databaseURL: String?
    public var databaseMaxConnections: Int
    public var databaseConnectTimeout: Int
    public var embeddedPostgresBinDir: String?
    public var embeddedPostgresPort: Int
    public var authBackend: String
    public var targetDir: String
    public var targetDirURL: String
    public var serveTargetDir: Bool
    public var extraTargetDirs: [String: String]
    public var rawConfigURLs: JSONValue
    public var allowedClients: JSONValue
    public var sigkeys: [String]
    public var policy: RequestPolicy
    public var backend: BackendSettings
    public var auth: AuthSettings
    public var sourceServices: SourceServiceSettings
    public var pungi: PungiSettings
    /// The event streams' hub (docs/events.md).
    public var eventStreams: EventHub.Configuration
    /// Settings that work but should not be used as they are; logged loudly at start-up and
    /// printed by `odcs config check`.
    public var warnings: [String] = []

    init(values: [String: JSONValue]) throws {
        self.values = values
        func string(_ key: String) -> String { values[key]?.stringValue ?? "" }
        func optional(_ key: String) -> String? { values[key]?.stringValue }
        func int(_ key: String) -> Int {
            if case .int(let number) = values[key] { return number }
            return 0
        }
        func list(_ key: String) -> [String] { values[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }

        host = string("host")
        port = int("port")
        nodeID = optional("node_id") ?? ProcessInfo.processInfo.hostName
        stateDir = optional("state_dir") ?? NodeConfiguration.defaultStateDir()
        logLevel = string("log_level")
        logFormat = string("log_format")
        maxRequestBodyBytes = int("max_request_body_bytes")
        httpLimits = HTTPServerLimits(
            headerTimeout: .seconds(int("http.header_timeout_seconds")), bodyTimeout: .seconds(int("http.body_timeout_seconds")),
            idleTimeout: .seconds(int("http.idle_timeout_seconds")), maxConnections: int("http.max_connections"))
        shutdownGrace = .seconds(int("http.shutdown_grace_seconds"))
        migrateOnStart = values["migrate_on_start"] == .bool(true)
        databaseURL = optional("database.url").flatMap { $0.isEmpty ? nil : $0 }
        if let file = optional("database.url_file"), !file.isEmpty {
            guard databaseURL == nil else {
                throw ConfigurationError("database.url and database.url_file are both set; keep one")
            }
            databaseURL = try Self.secret(file: file, key: "database.url_file")
        }
        databaseMaxConnections = int("database.max_connections")
        databaseConnectTimeout = int("database.connect_timeout_seconds")
        embeddedPostgresBinDir = optional("embedded_postgres.bin_dir")
        embeddedPostgresPort = int("embedded_postgres.port")
        authBackend = string("auth_backend")
        targetDir = string("target_dir")
        targetDirURL = string("target_dir_url")
        serveTargetDir = values["serve_target_dir"] != .bool(false)
        rawConfigURLs = values["raw_config_urls"] ?? [:]
        allowedClients = values["allowed_clients"] ?? [:]
        sigkeys = list("sigkeys")

        guard targetDir.hasPrefix("/") else {
            throw ConfigurationError("configuration key target_dir must be an absolute path, got \(targetDir)")
        }
        guard stateDir.hasPrefix("/") else {
            throw ConfigurationError("configuration key state_dir must be an absolute path, got \(stateDir)")
        }
        var extra: [String: String] = [:]
        for (name, path) in values["extra_target_dirs"]?.objectValue?.entries ?? [] {
            guard let path = path.stringValue, path.hasPrefix("/") else {
                throw ConfigurationError("configuration key extra_target_dirs.\(name) must be an absolute path")
            }
            extra[name] = path
        }
        extraTargetDirs = extra

        var rawConfigs: [String: RequestPolicy.RawConfigTTL] = [:]
        for (name, entry) in rawConfigURLs.objectValue?.entries ?? [] {
            guard case .object(let settings) = entry, settings["url"]?.stringValue != nil,
                settings["config_filename"]?.stringValue != nil
            else {
                throw ConfigurationError("configuration key raw_config_urls.\(name) must be a mapping with url and config_filename")
            }
            func ttl(_ field: String) throws -> Int? {
                switch settings[field] {
                case nil: return nil
                case .int(let seconds) where seconds > 0: return seconds
                default: throw ConfigurationError("configuration key raw_config_urls.\(name).\(field) must be a positive integer")
                }
            }
            rawConfigs[name] = .init(secondsToLive: try ttl("seconds_to_live"), maxSecondsToLive: try ttl("max_seconds_to_live"))
        }
        auth = try AuthSettings(
            values: values, targetDir: targetDir, extraTargetDirs: extra, rawConfigKeys: Array(rawConfigs.keys))
        if auth.backend == .noauth, databaseURL != nil {
            warnings.append(
                "INSECURE: auth_backend is noauth with a configured database.url: anyone who can reach this node may create, renew, cancel and delete any compose. noauth is meant only for the embedded single-machine default; set auth_backend to oidc, proxy or oidc_or_proxy."
            )
        }

        func seconds(_ key: String) -> Duration { .seconds(int(key)) }
        func milliseconds(_ key: String) -> Duration { .milliseconds(int(key)) }
        backend = BackendSettings(
            numConcurrentPungi: int("num_concurrent_pungi"), pungiTimeout: seconds("pungi_timeout"), maxGenerating: int("max_generating"),
            pollInterval: milliseconds("poll_interval_ms"), listenNotify: values["listen_notify"] != .bool(false),
            leaseTimeout: seconds("lease_timeout"), maxAttempts: int("max_attempts"), retryBackoff: seconds("retry_backoff"),
            rescueInterval: milliseconds("rescue_interval_ms"), drainTimeout: seconds("drain_timeout"),
            expiryInterval: milliseconds("expiry_interval_ms"), orphanSweepInterval: seconds("orphan_sweep_interval"),
            orphanMinAge: seconds("orphan_min_age"), trashGrace: seconds("trash_grace"),
            cacheMaxAge: seconds("cache_max_age"),
            generationNice: int("generation_nice"), minFreeSpace: int("min_free_space"),
            minFreeSpaceMinAge: seconds("min_free_space_min_age"),
            minFreeSpaceInterval: seconds("min_free_space_interval"),
            leaderCheckInterval: milliseconds("leader_check_interval_ms"), repoSourceRoots: list("repo_source_roots"),
            kojiURL: optional("koji_url"), kojiTopdir: optional("koji_topdir"), kojiTopurl: optional("koji_topurl"),
            kojiTimeout: seconds("koji_timeout"), kojiMaxRetries: int("koji_max_retries"),
            events: try Self.eventSettings(string: string, optional: optional, list: list, int: int),
            testJournal: optional("test_generator.journal"),
            testWork: milliseconds("test_generator.work_ms"))
        for root in backend.repoSourceRoots where !root.hasPrefix("/") {
            throw ConfigurationError("configuration key repo_source_roots must hold absolute paths, got \(root)")
        }
        if let topdir = backend.kojiTopdir, !topdir.hasPrefix("/") {
            throw ConfigurationError("configuration key koji_topdir must be an absolute path, got \(topdir)")
        }
        for (key, url) in [("koji_url", backend.kojiURL), ("koji_topurl", backend.kojiTopurl)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ConfigurationError("configuration key \(key) must be an http(s) URL, got \(url)")
            }
        }

        var streams = EventHub.Configuration()
        streams.maxStreams = int("events.max_streams")
        streams.maxStreamsPerClient = int("events.max_streams_per_client")
        streams.bufferedEvents = int("events.buffered_events")
        streams.pollInterval = .milliseconds(int("outbox_poll_interval_ms"))
        eventStreams = streams
        if streams.maxStreams >= httpLimits.maxConnections {
            warnings.append(
                "events.max_streams (\(streams.maxStreams)) is not below http.max_connections (\(httpLimits.maxConnections)): "
                    + "open event streams can take every connection, and API requests then wait in the listen backlog")
        }

        sourceServices = try SourceServiceSettings(values: values)
        pungi = try PungiSettings(values: values, defaultArches: list("arches"), pungiTimeout: int("pungi_timeout"))
        policy = RequestPolicy(
            secondsToLive: int("seconds_to_live"), maxSecondsToLive: int("max_seconds_to_live"),
            defaultArches: list("arches"), defaultSigkeys: list("sigkeys"), defaultTargetDir: targetDir,
            extraTargetDirs: extra, rawConfigs: rawConfigs, baseModuleNames: Set(list("base_module_names")),
            repoSourceRoots: backend.repoSourceRoots, sourceURLPrefixes: list("repo_source_url_prefixes"),
            maxPackages: int("max_packages"), maxListItems: int("max_list_items"))
        for prefix in policy.sourceURLPrefixes where !URLRules.isFetchable(prefix, schemes: ["http", "https", "git"]) {
            throw ConfigurationError("configuration key repo_source_url_prefixes must hold http(s) or git URLs, got \(prefix)")
        }
    }

    static func eventSettings(
        string: (String) -> String, optional: (String) -> String?, list: (String) -> [String], int: (String) -> Int
    ) throws -> EventSettings {
        let backends = string("messaging_backend").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for backend in backends where !["amqp", "webhook"].contains(backend) {
            throw ConfigurationError(
                "configuration key messaging_backend: \(backend) is not supported here (rhmsg and kafka are upstream's); use amqp, webhook or both"
            )
        }
        var brokers = list("messaging_broker_urls")
        if let file = optional("messaging_broker_urls_file") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError("configuration key messaging_broker_urls_file: cannot read \(file)")
            }
            brokers += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if backends.contains("amqp") {
            guard !brokers.isEmpty else {
                throw ConfigurationError("configuration key messaging_broker_urls must name a broker when messaging_backend is amqp")
            }
            for url in brokers where !(url.hasPrefix("amqp://") || url.hasPrefix("amqps://")) {
                // The URL may hold a password: name only its scheme.
                throw ConfigurationError(
                    "configuration key messaging_broker_urls must hold amqp:// or amqps:// URLs, got one starting with \(url.prefix(8))")
            }
        }
        let webhooks = list("webhook_urls")
        if backends.contains("webhook") && webhooks.isEmpty {
            throw ConfigurationError("configuration key webhook_urls must name a URL when messaging_backend is webhook")
        }
        var secret: [UInt8]?
        if let file = optional("webhook_secret_file") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError("configuration key webhook_secret_file: cannot read \(file)")
            }
            var bytes = [UInt8](data)
            while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
            secret = bytes
        }
        let prefix = string("messaging_topic_prefix")
        let topic = string("messaging_topic").isEmpty ? "odcs.compose.state-changed" : string("messaging_topic")
        func nonEmpty(_ key: String) -> String? { string(key).isEmpty ? nil : string(key) }
        return EventSettings(
            amqp: backends.contains("amqp"), webhook: backends.contains("webhook"), brokerURLs: brokers,
            caCert: nonEmpty("messaging_ca_cert"), certFile: nonEmpty("messaging_cert_file"), keyFile: nonEmpty("messaging_key_file"),
            topic: prefix.isEmpty ? topic : "\(prefix).\(topic)", exchange: string("messaging_exchange"), webhookURLs: webhooks,
            webhookSecret: secret, retention: .seconds(int("outbox_retention")), batchSize: int("outbox_batch_size"),
            pollInterval: .milliseconds(int("outbox_poll_interval_ms")), retryBackoff: .seconds(int("outbox_retry_backoff")))
    }

    /// A one-line secret from a mounted file, its trailing newline dropped; the value never
    /// appears in an error.
    static func secret(file: String, key: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file), var text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("configuration key \(key): cannot read \(file)")
        }
        while text.last?.isNewline == true { text.removeLast() }
        guard !text.isEmpty else { throw ConfigurationError("configuration key \(key): \(file) is empty") }
        return text
    }

    static func defaultStateDir() -> String {
        if geteuid() == 0 { return "/var/lib/odcs" }
        return NSHomeDirectory() + "/.local/state/odcs"
    }

    /// How compose JSON is written: the API's and the event messages' URLs.
    public var renderer: ComposeJSONRenderer {
        ComposeJSONRenderer(targetDirURL: targetDirURL, defaultTargetDir: targetDir, extraTargetDirs: extraTargetDirs)
    }

    /// The API's configuration, with this node's one authenticator (call once per node).
    public func apiConfiguration(logger: Logger) -> APIConfiguration {
        let (authenticator, proxy) = auth.makeAuthenticator(logger: logger)
        return APIConfiguration(
            renderer: renderer,
            policy: policy, authBackend: authBackend, authenticator: authenticator, proxy: proxy, scopeNamespace: auth.scopeNamespace,
            access: auth.access, allowedClients: allowedClients, rawConfigURLs: rawConfigURLs, sigkeys: sigkeys,
            maxRequestBodyBytes: maxRequestBodyBytes, servedTargetDir: serveTargetDir ? targetDir : nil, events: eventStreams)
    }

    /// The effective configuration, for `odcs config check`; secrets print as `<redacted>`.
    public var effective: JSONValue {
        .object(
            JSONObject(
                values.sorted { $0.key < $1.key }.map { entry in
                    let secret = ConfigurationKey.named(entry.key)?.kind == .secret && entry.value != .null
                    return (key: entry.key, value: secret ? .string("<redacted>") : entry.value)
                }))
    }
}
