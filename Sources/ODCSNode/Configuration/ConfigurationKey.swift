import ODCSCore

/// One configuration key: its dotted path in the file, its type and its default. The table
/// `ConfigurationKey.all` is the single list of keys; the environment names, the validation
/// and `docs/configuration.md` follow it.
public struct ConfigurationKey: Sendable {
    public enum Kind: Sendable, Equatable {
        case string
        case optionalString
        case integer(ClosedRange<Int>)
        case bool
        case stringList
        case object
        case choice([String])
        /// A credential: a string taken only from the environment (never the configuration
        /// file, which is not secret) and never printed.
        case secret
    }

    public var path: String
    public var kind: Kind
    public var defaultValue: JSONValue
    public var summary: String

    /// `ODCS_` + the path upper-cased, nested keys joined by `_`.
    public var environmentName: String {
        "ODCS_" + path.uppercased().replacingDots()
    }

    init(_ path: String, _ kind: Kind, _ defaultValue: JSONValue, _ summary: String) {
        self.path = path
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}

extension ConfigurationKey {
    static let allFlags: JSONValue = .array(ComposeFlags.allNames.map(JSONValue.string))
    static let allResults: JSONValue = .array(ComposeResults.allNames.map(JSONValue.string))

    /// Every key a node understands. Upstream's keys keep upstream's names and defaults.
    public static let all: [ConfigurationKey] = [
        // The node.
        .init("host", .string, "127.0.0.1", "Address the HTTP API listens on."),
        .init("port", .integer(0...65535), 5005, "Port the HTTP API listens on."),
        .init("node_id", .optionalString, nil, "This node's name in logs and the node registry (default: the host name)."),
        .init(
            "state_dir", .optionalString, nil,
            "Directory for the embedded PostgreSQL and the node's lock file (default: /var/lib/odcs as root, else ~/.local/state/odcs)."),
        .init(
            "log_level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), "info", "Lowest log level written."),
        .init("log_format", .choice(["text", "json"]), "text", "Log line format: text, or one JSON object per line."),
        .init(
            "max_request_body_bytes", .integer(1024...(64 << 20)), .int(1 << 20), "Request bodies larger than this are refused with 413."),
        .init(
            "max_packages", .integer(1...1_000_000), 20_000,
            "Most package names one compose request may list; more is refused with 400."),
        .init(
            "max_list_items", .integer(1...1_000_000), 2_000,
            "Most items in any other list-valued request field (sources, builds, modules, sigkeys, arches, lookaside_repos...); more is refused with 400."
        ),
        .init("migrate_on_start", .bool, true, "Apply schema migrations when `odcs serve` starts."),
        // The HTTP server's limits for slow and hostile clients (docs/operations.md, "Limits").
        .init(
            "http.header_timeout_seconds", .integer(1...3600), 10,
            "Seconds a client has to send a request's head (from the connection's opening, or from the first byte of a later request on it); a slower one is disconnected."
        ),
        .init(
            "http.body_timeout_seconds", .integer(1...86400), 60,
            "Seconds a client has to send a request's body, from its head, however steadily it trickles; a slower one is disconnected."),
        .init(
            "http.idle_timeout_seconds", .integer(1...86400), 75,
            "Seconds a kept-alive connection may stay silent after a response before it is closed (keep it above a load balancer's idle timeout)."
        ),
        .init(
            "http.shutdown_grace_seconds", .integer(0...3600), 0,
            "On SIGTERM, seconds the node keeps serving while /readyz answers 503, before it closes its listener: set it above the load balancer's health check interval times its fall count, so the balancer stops sending requests before the node stops accepting them (Kubernetes: the pod's preStop sleep does this)."
        ),
        .init(
            "http.max_connections", .integer(1...1_000_000), 1024,
            "HTTP connections this node keeps open at most; more wait in the listen backlog. Lowered at start (with a warning) when ulimit -n leaves too few file descriptors for it and the database connections."
        ),
        // The database.
        .init(
            "database.url", .optionalString, nil,
            "PostgreSQL URL (postgres://user:password@host:port/db, or ?host=/socket/dir). Unset: an embedded PostgreSQL under state_dir."),
        .init(
            "database.url_file", .optionalString, nil,
            "A file holding database.url (a mounted secret; trailing newline dropped). Exclusive with database.url."),
        .init("database.max_connections", .integer(1...1000), 20, "Connections in this node's pool."),
        .init("database.connect_timeout_seconds", .integer(1...600), 10, "Timeout for opening one connection."),
        .init(
            "embedded_postgres.bin_dir", .optionalString, nil,
            "Directory with initdb and postgres (default: the newest /usr/lib/postgresql/*/bin)."),
        .init(
            "embedded_postgres.port", .integer(1...65535), 54329, "Port number naming the embedded server's unix socket (no TCP listener)."),
        // Upstream ODCS keys (reference appendix A).
        .init(
            "auth_backend", .choice(["noauth", "oidc", "proxy", "oidc_or_proxy"]), "noauth",
            "Authentication backend: noauth (everyone may do everything; only for the embedded single-machine default), oidc (bearer tokens), proxy (user headers from a trusted proxy) or oidc_or_proxy."
        ),
        .init(
            "auth_openidc_required_scopes", .stringList, [],
            "Scopes every OIDC token must have; a token without one is refused with 401."),
        .init(
            "auth_openidc_userinfo_uri", .optionalString, nil,
            "OIDC userinfo endpoint; the groups it returns for a token are added to the token's own."),
        .init(
            "oidc_base_namespace", .string, "https://pagure.io/odcs/",
            "Prefix of the per-endpoint OIDC scopes new-compose (POST), renew-compose (PATCH) and delete-compose (DELETE)."),
        .init(
            "auth.oidc.issuer", .optionalString, nil,
            "OIDC issuer (the tokens' iss); its /.well-known/openid-configuration names the keys and the introspection endpoint. Required by oidc."
        ),
        .init("auth.oidc.audiences", .stringList, [], "Audiences (aud) of which a token must name one. Required by oidc."),
        .init("auth.oidc.jwks_url", .optionalString, nil, "The provider's JWKS URL (default: jwks_uri of the discovery document)."),
        .init(
            "auth.oidc.introspection_url", .optionalString, nil,
            "Token introspection endpoint for tokens that are not JWTs (default: introspection_endpoint of the discovery document)."),
        .init("auth.oidc.client_id", .optionalString, nil, "This service's client id, sent to the introspection endpoint."),
        .init(
            "auth.oidc.client_secret_file", .optionalString, nil,
            "File holding the client secret for the introspection endpoint (or set ODCS_AUTH_OIDC_CLIENT_SECRET)."),
        .init(
            "auth.oidc.client_secret", .secret, nil,
            "The client secret itself: environment only (ODCS_AUTH_OIDC_CLIENT_SECRET), never the configuration file; never printed."),
        .init("auth.oidc.username_claim", .string, "sub", "Claim holding the user name."),
        .init("auth.oidc.groups_claim", .string, "groups", "Claim holding the user's groups (a list, or a space-separated string)."),
        .init("auth.oidc.leeway_seconds", .integer(0...3600), 60, "Clock skew allowed when checking exp and nbf."),
        .init(
            "auth.oidc.jwks_cache_seconds", .integer(10...604_800), 3600,
            "How long the provider's keys are used before they are fetched again (also fetched when a token names an unknown key)."),
        .init("auth.oidc.timeout_seconds", .integer(1...300), 10, "Timeout of one call to the identity provider."),
        .init(
            "auth.proxy.trusted_proxies", .stringList, [],
            "Addresses or CIDRs (10.0.0.0/8, ::1) of the proxies whose identity headers are believed; from anyone else they are stripped. Required by proxy."
        ),
        .init("auth.proxy.user_header", .string, "X-Remote-User", "Header in which the proxy passes the authenticated user."),
        .init("auth.proxy.groups_header", .optionalString, nil, "Header in which the proxy passes the user's groups, if it does."),
        .init("auth.proxy.groups_separator", .string, ",", "Separator of the groups in groups_header."),
        .init("auth.proxy.strip_realm", .bool, true, "Turn user@REALM (Kerberos) into user, as upstream does."),
        .init(
            "allowed_clients", .object, ["groups": [:], "users": [:]],
            "Users and groups allowed to create composes, with per-attribute limits (reported by /about)."),
        .init("admins", .object, ["groups": [], "users": []], "Users and groups who may delete any compose."),
        .init("allowed_source_types", .stringList, ["tag", "module", "build"], "Source types allowed when allowed_clients does not say."),
        .init("allowed_flags", .stringList, allFlags, "Flags allowed when allowed_clients does not say."),
        .init("allowed_arches", .stringList, ["x86_64"], "Arches allowed when allowed_clients does not say."),
        .init("allowed_results", .stringList, allResults, "Results allowed when allowed_clients does not say."),
        .init("allowed_sources", .stringList, [""], "Sources allowed when allowed_clients does not say ([\"\"] allows all)."),
        .init("allowed_compose_types", .stringList, [""], "Compose types allowed when allowed_clients does not say ([\"\"] allows all)."),
        .init("arches", .stringList, ["x86_64"], "Arches of a compose that does not name any."),
        .init("sigkeys", .stringList, [], "Signing keys of a compose that does not name any."),
        .init("seconds_to_live", .integer(1...Int(Int32.max)), 86400, "Default time to live of a compose, in seconds."),
        .init(
            "max_seconds_to_live", .integer(1...Int(Int32.max)), 259200,
            "Longest time to live a request may ask for; longer requests are capped."),
        .init("target_dir", .string, "/tmp", "Directory (shared by all nodes) where composes are written."),
        .init("target_dir_url", .string, "http://localhost/odcs", "URL under which target_dir is served."),
        .init(
            "serve_target_dir", .bool, true,
            "Serve target_dir at /composes/ on the API port (point target_dir_url at http://HOST:PORT/composes); false when a web server in front serves it."
        ),
        .init("extra_target_dirs", .object, [:], "Other target dirs a request may pick by name: {name: path}."),
        .init("raw_config_urls", .object, [:], "raw_config sources: {name: {url, config_filename, ...}} (reported by /about)."),
        .init("base_module_names", .stringList, ["platform", "bootstrap"], "Module names that cannot be requested directly."),
        .init("num_concurrent_pungi", .integer(0...256), 2, "Composes this node generates at once (0: an API-only node)."),
        .init("pungi_timeout", .integer(1...(7 * 86400)), 3600, "Longest a compose may generate, in seconds."),
        // The cluster backend (design §5–§6).
        .init(
            "max_generating", .integer(0...100_000), 0,
            "Cluster-wide cap on composes generating at once across all nodes (0: no cap beyond each node's num_concurrent_pungi)."),
        .init(
            "poll_interval_ms", .integer(50...600_000), 2000,
            "How often an idle worker looks for waiting composes even without a notification."),
        .init(
            "listen_notify", .bool, true,
            "Wake idle workers with LISTEN/NOTIFY. Set false behind a transaction-mode connection pooler (poll only)."),
        .init(
            "lease_timeout", .integer(3...86400), 45,
            "Seconds without a heartbeat after which a generating compose's node counts as lost (heartbeat every third of it). With the defaults, a crashed node's composes run again within 60 s."
        ),
        .init(
            "max_attempts", .integer(1...100), 3, "Claims of one compose before a lost node's compose fails instead of going back to wait."),
        .init(
            "retry_backoff", .integer(0...86400), 5, "Seconds a rescued compose waits before its next attempt, times the attempt number."),
        .init(
            "rescue_interval_ms", .integer(100...3_600_000), 5000, "How often the lease rescuer (a leader duty) looks for lost leases."),
        .init(
            "drain_timeout", .integer(0...86400), 300,
            "On SIGTERM, seconds running composes may take to finish before they are handed back to wait."),
        .init("expiry_interval_ms", .integer(100...86_400_000), 30000, "How often each node removes expired composes."),
        .init(
            "orphan_sweep_interval", .integer(1...604_800), 600,
            "Seconds between sweeps of the shared volume for directories no compose owns (a leader duty)."),
        .init("orphan_min_age", .integer(0...604_800), 600, "The orphan sweep leaves entries younger than this many seconds alone."),
        .init(
            "trash_grace", .integer(0...604_800), 600,
            "Seconds a removed compose stays in the target dir's .trash/ before it is deleted, so that downloads in progress "
                + "finish (disk pressure deletes it sooner)."),
        .init(
            "cache_max_age", .integer(0...31_536_000), 604_800,
            "Seconds a file of the target dir's .cache/ (RPM header snapshots, Koji tag listings) is kept after a compose last "
                + "used it; the orphan sweep removes older ones (0: never)."),
        .init(
            "generation_nice", .integer(0...19), 10,
            "Nice value of the node's generation work (copies onto the volume, tree removals, createrepo_c, Pungi), so that "
                + "the API, heartbeats and leader checks get the CPU first on a busy node (0: the same priority as the rest)."),
        .init(
            "min_free_space", .integer(0...Int.max), 0,
            "Bytes that must stay free on each target dir's volume: below it the oldest done composes there are removed early, "
                + "and a compose whose packages would not leave it free fails at once unless room can be made (0: no early removal)."),
        .init(
            "min_free_space_interval", .integer(1...86400), 30,
            "How often the disk pressure leader measures the free space (and removes composes when below min_free_space)."),
        .init(
            "min_free_space_min_age", .integer(0...(365 * 86400)), 3600,
            "Disk pressure never removes a compose done less than this many seconds ago."),
        .init(
            "leader_check_interval_ms", .integer(100...60000), 3000,
            "How often a duty leader checks its lock and term, and a follower tries the lock."),
        .init(
            "repo_source_roots", .stringList, ["/"],
            "Local directories that repo sources may read from; a local repo path outside all of them is refused."),
        .init(
            "repo_source_url_prefixes", .stringList, [],
            "URL prefixes that repo sources, lookaside_repos, pungi_compose sources and module_defaults_url must start with (at a '/' boundary; scheme and host case-insensitive). Empty: any http(s) URL, as upstream."
        ),
        .init(
            "koji_url", .optionalString, nil,
            "Koji hub XML-RPC URL (e.g. https://koji.example.com/kojihub); tag, build and pungi_compose composes need it."),
        .init(
            "koji_topdir", .optionalString, nil,
            "The mounted Koji volume (Koji's topdir, e.g. /mnt/koji); RPMs are hard-linked from it when on the same filesystem."),
        .init(
            "koji_topurl", .optionalString, nil,
            "Koji's file URL (topurl, e.g. https://kojipkgs.example.com); RPMs are downloaded from it when koji_topdir is unset."),
        .init("koji_timeout", .integer(1...3600), 60, "Seconds one Koji call may take."),
        .init("koji_max_retries", .integer(0...20), 3, "Retries of a Koji call that failed on the way (never of a Koji fault)."),
        // Module and pulp composes (docs/modules-and-pulp.md).
        .init(
            "mbs_url", .optionalString, nil,
            "Module Build Service URL (e.g. https://mbs.example.com/module-build-service); module composes need it and koji_url "
                + "(those from modular_koji_tags need only koji_url)."),
        .init("pulp_server_url", .optionalString, nil, "Pulp server URL (its API is under /pulp/api/v2/); pulp composes need it."),
        .init("pulp_ssl_cert", .optionalString, nil, "PEM client certificate presented to Pulp (with pulp_ssl_key)."),
        .init("pulp_ssl_key", .optionalString, nil, "PEM private key of pulp_ssl_cert."),
        .init("pulp_username", .optionalString, nil, "User for HTTP basic authentication to Pulp."),
        .init("pulp_password_file", .optionalString, nil, "A file holding the Pulp password (or set ODCS_PULP_PASSWORD)."),
        .init(
            "pulp_password", .secret, nil,
            "The Pulp password itself: environment only (ODCS_PULP_PASSWORD), never the configuration file; never printed."),
        .init("net_timeout", .integer(1...3600), 120, "Seconds one MBS or Pulp request may take."),
        // Pungi (docs/pungi.md).
        .init(
            "source_type_generators", .object, [:],
            "Which generator builds a source type: {tag: pungi} sends tag composes to pungi-koji; native (the default) or pungi. raw_config is always pungi, pulp always native."
        ),
        .init("pungi_koji", .string, "pungi-koji", "The pungi-koji program (a name in PATH, or a path)."),
        .init(
            "pungi_koji_args", .stringList, [], "Extra pungi-koji arguments for the composes ODCS configures (and raw_config by default)."),
        .init("raw_config_pungi_koji_args", .object, [:], "Extra pungi-koji arguments per raw_config source: {name: [args]}."),
        .init("koji_profile", .optionalString, nil, "The koji_profile written into the Pungi configurations ODCS renders."),
        .init(
            "raw_config_wrapper_conf_path", .optionalString, nil,
            "ODCS's wrapper pungi.conf for raw_config composes (it imports the user's config as raw_config); unset: none."),
        .init("pungi_config_validate", .optionalString, nil, "pungi-config-validate, run on every raw config when set."),
        .init("raw_config_schema_override", .optionalString, nil, "A schema override file for pungi_config_validate."),
        .init("post_script_timeout", .integer(1...86400), 600, "Seconds a raw_config post_script may take."),
        .init(
            "pungi_config_python", .string, "python3",
            "The Python with kobo (Pungi's config parser) that turns raw configs into pungi.json."),
        .init(
            "raw_config_git_credential_helper", .optionalString, nil,
            "A git credential helper for raw_config repositories (like upstream's odcs-credential-helper)."),
        // Events (docs/events.md).
        .init(
            "messaging_backend", .string, "",
            "Where compose events go besides the event stream: \"\", amqp, webhook, or amqp,webhook."),
        .init(
            "messaging_broker_urls", .stringList, [],
            "AMQP brokers, amqp://user:password@host:5672/vhost or amqps://...; the first that answers is used."),
        .init(
            "messaging_broker_urls_file", .optionalString, nil,
            "A file holding the broker URLs, one per line (keeps passwords out of the config)."),
        .init("messaging_ca_cert", .string, "", "CA file for amqps brokers (default: the system's trust store)."),
        .init("messaging_cert_file", .string, "", "Client certificate for amqps brokers that want one."),
        .init("messaging_key_file", .string, "", "Private key of messaging_cert_file."),
        .init("messaging_topic", .string, "", "The AMQP routing key of compose events (default odcs.compose.state-changed)."),
        .init("messaging_topic_prefix", .string, "", "Prepended to messaging_topic with a dot (fedora-messaging's topic_prefix)."),
        .init("messaging_exchange", .string, "amq.topic", "The AMQP topic exchange events are published to (fedora-messaging's default)."),
        .init("webhook_urls", .stringList, [], "URLs every compose event is POSTed to (messaging_backend webhook)."),
        .init("webhook_secret_file", .optionalString, nil, "A file holding the HMAC-SHA256 key of webhook signatures."),
        .init(
            "outbox_retention", .integer(60...(30 * 86400)), 86400,
            "Seconds published events are kept (the event stream resumes within it)."),
        .init("outbox_batch_size", .integer(1...10000), 200, "Events a publisher claims at once."),
        .init(
            "outbox_poll_interval_ms", .integer(10...60000), 500,
            "How often a publisher, and a node's reader for its event streams, look for events besides LISTEN."),
        .init(
            "outbox_retry_backoff", .integer(0...3600), 1, "Seconds before an undelivered event is retried, doubled per attempt (max 300)."),
        .init(
            "events.max_streams", .integer(1...1_000_000), 512,
            "Event streams (GET /api/1/events/) open at once on this node; one more is refused with 429 and Retry-After. Each is one of the node's http.max_connections: keep it well below them, so that streams never leave API requests waiting."
        ),
        .init(
            "events.max_streams_per_client", .integer(0...1_000_000), 200,
            "Event streams open at once from one client address (the peer's; behind a proxy, all its clients share the proxy's); one more is refused with 429 (0: no cap)."
        ),
        .init(
            "events.buffered_events", .integer(16...1_000_000), 4096,
            "Recent events a node keeps for its event streams: a stream that falls further behind is ended, and its client resumes with Last-Event-ID."
        ),
        .init(
            "test_generator.journal", .optionalString, nil,
            "Testing only: generate every compose with the no-op journal generator, appending its runs to this file."),
        .init("test_generator.work_ms", .integer(0...3_600_000), 0, "Testing only: how long each journal generation takes."),
    ]

    public static func named(_ path: String) -> ConfigurationKey? { all.first { $0.path == path } }
}
