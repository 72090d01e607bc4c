import Logging
import ODCSCore
import SystemPackage

/// What a generator is given: a claimed compose (state `generating`, its lease held by the
/// calling worker) and an empty staging directory that the worker publishes, with one
/// `rename`, as `<target_dir>/odcs-<id>/` once `generate` returns.
public struct GenerationContext: Sendable {
    /// The compose as claimed and resolved (see `ComposeGenerator.resolve`).
    public var compose: Compose
    /// 1 for the first claim; a compose rescued after a lost node runs again with attempt + 1.
    public var attempt: Int
    /// `<target_dir>/.staging/odcs-<id>-<attempt>/`: exists and is empty. Everything the
    /// compose publishes goes in here, laid out as the final `odcs-<id>/` directory.
    public var staging: FilePath
    /// The URL under which the compose's target dir is served (`target_dir_url`), or "" for a
    /// non-default target dir (upstream then writes relative base URLs).
    public var targetDirURL: String
    /// Where the generator's own step log goes; lives in the staging directory so that it is
    /// published with the compose (and kept for the TTL when the compose fails).
    public var logger: Logger
    /// Asked before package files are placed (nil: no check, as in tests of generators alone).
    public var space: (any SpaceCheck)?
    /// The shared header cache (`<target_dir>/.cache/headers`, docs/header-cache.md): snapshots
    /// of RPM headers that every node reads instead of the RPMs (nil: headers are read each time).
    public var headerCache: FilePath?
    /// The shared Koji listing cache (`<target_dir>/.cache/koji`, `KojiListingCache`): tag
    /// listings by event (nil: the hub is asked each time).
    public var kojiListingCache: FilePath?

    public init(
        compose: Compose, attempt: Int, staging: FilePath, targetDirURL: String, logger: Logger, space: (any SpaceCheck)? = nil,
        headerCache: FilePath? = nil, kojiListingCache: FilePath? = nil
    ) {
        self.compose = compose
        self.attempt = attempt
        self.staging = staging
        self.targetDirURL = targetDirURL
        self.logger = logger
        self.space = space
        self.headerCache = headerCache
        self.kojiListingCache = kojiListingCache
    }

    /// `odcs-<id>`: the compose's directory and repository name.
    public var name: String { "odcs-\(compose.id)" }
}

/// What a successful generation reports back to the worker, to be stored with `done`.
public struct GenerationResult: Sendable, Equatable {
    /// productmd compose id written in `compose/metadata/composeinfo.json`
    /// (`odcs-<id>-1-<YYYYMMDD>.t.0` for an ODCS-generated compose).
    public var pungiComposeID: String?
    /// Fields the generation itself decides (upstream's pulp compose sets them as it
    /// generates): stored with `done` when set, left as they were when nil.
    public var source: String?
    public var arches: String?
    public var sigkeys: String?
    /// Pungi's dump of the configuration it ran with (raw_config production and development
    /// composes), stored as `pungi_config_dump` for respins.
    public var pungiConfigDump: String?

    public init(
        pungiComposeID: String? = nil, source: String? = nil, arches: String? = nil, sigkeys: String? = nil,
        pungiConfigDump: String? = nil
    ) {
        self.pungiComposeID = pungiComposeID
        self.source = source
        self.arches = arches
        self.sigkeys = sigkeys
        self.pungiConfigDump = pungiConfigDump
    }
}

/// Produces a compose's tree. One implementation per source type (design §7); the worker
/// owns claiming, leases, staging directories and publishing, never the generator.
///
/// Cancellation: the worker cancels the generating task when its lease is lost, when the
/// compose runs past `pungi_timeout`, and when the node drains. A generator must stop
/// promptly then (child processes are killed with their whole process group) and throw.
public protocol ComposeGenerator: Sendable {
    /// Upstream's `resolve_compose`: fills in what the request left open and reuse compares
    /// (for example `koji_event` from a repository's `repomd.xml` revision). Runs before the
    /// reuse lookup; must not write anything.
    func resolve(_ compose: Compose, logger: Logger) async throws -> Compose

    /// Fills `context.staging`. Throws `GeneratorError` (its message becomes the compose's
    /// `state_reason`, after upstream's `Error while generating compose: ` prefix) or any
    /// other error (its description is used).
    func generate(_ context: GenerationContext) async throws -> GenerationResult

    /// The reuse checks the key cannot make, run for each candidate the key found (for tag
    /// composes: Koji's `tagChangedSinceEvent`). Runs inside the reuse decision; keep it short.
    func isReusable(_ candidate: Compose, for compose: Compose, logger: Logger) async throws -> Bool
}

extension ComposeGenerator {
    public func resolve(_ compose: Compose, logger: Logger) async throws -> Compose { compose }

    public func isReusable(_ candidate: Compose, for compose: Compose, logger: Logger) async throws -> Bool { true }
}

/// A failure a user can act on: the message names what was wrong (the package, the repo,
/// the command and its log).
public struct GeneratorError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
