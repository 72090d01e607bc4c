import struct Foundation.Date

/// One compose row: every field of ODCS 0.9.2's `composes` table under its upstream meaning.
/// Multi-valued fields keep upstream's space-joined text form, so that what is stored, compared
/// for reuse and sent on the wire is the same string.
public struct Compose: Sendable, Equatable {
    public var id: Int64
    public var owner: String
    public var sourceType: SourceType
    public var source: String
    public var modularKojiTags: String?
    public var moduleDefaultsURL: String?
    public var kojiEvent: Int64?
    public var sigkeys: String?
    public var state: ComposeState
    public var stateReason: String?
    public var results: ComposeResults
    public var packages: String?
    public var builds: String?
    public var flags: ComposeFlags
    public var timeToExpire: Date
    public var timeSubmitted: Date
    public var timeStarted: Date?
    public var timeDone: Date?
    public var timeRemoved: Date?
    public var removedBy: String?
    public var reusedID: Int64?
    public var kojiTaskID: Int64?
    public var arches: String?
    public var multilibArches: String?
    public var multilibMethod: Int?
    public var lookasideRepos: String?
    public var label: String?
    public var composeType: String?
    public var pungiComposeID: String?
    public var pungiConfigDump: String?
    /// The filesystem path of the target dir; nil means the configured default.
    public var targetDir: String?
    public var scratchModules: String?
    public var scratchBuildTasks: String?
    public var parentPungiComposeIDs: String?
    public var modules: String?
    public var respinOf: String?
    public var baseModuleBrName: String?
    public var baseModuleBrStream: String?
    public var baseModuleBrStreamVersionLte: Int64?
    public var baseModuleBrStreamVersionGte: Int64?

    public init(
        id: Int64, owner: String, sourceType: SourceType, source: String, state: ComposeState,
        results: ComposeResults, flags: ComposeFlags, timeToExpire: Date, timeSubmitted: Date
    ) {
        self.id = id
        self.owner = owner
        self.sourceType = sourceType
        self.source = source
        self.state = state
        self.results = results
        self.flags = flags
        self.timeToExpire = timeToExpire
        self.timeSubmitted = timeSubmitted
    }

    /// `odcs-<id>`, or the name of the compose this one reuses: a reusing compose owns no
    /// files and shows the URLs of the one it reuses.
    public var name: String { "odcs-\(reusedID ?? id)" }
}
