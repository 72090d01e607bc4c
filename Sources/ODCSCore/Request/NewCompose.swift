/// A validated, normalised compose request: what POST and PATCH insert. Times are not here:
/// the database stamps `time_submitted` with its own clock and adds `secondsToLive`.
public struct NewCompose: Sendable, Equatable {
    public var owner: String
    public var sourceType: SourceType
    public var source: String
    public var secondsToLive: Int
    public var results: ComposeResults = .repository
    public var flags: ComposeFlags = []
    public var packages: String?
    public var builds: String?
    public var sigkeys: String?
    public var kojiEvent: Int64?
    public var arches: String?
    public var multilibArches: String? = ""
    public var multilibMethod: Int? = 0
    public var lookasideRepos: String? = ""
    public var modularKojiTags: String?
    public var moduleDefaultsURL: String?
    public var label: String?
    public var composeType: String? = "test"
    public var targetDir: String?
    public var scratchModules: String?
    public var parentPungiComposeIDs: String?
    public var scratchBuildTasks: String?
    public var modules: String?
    public var respinOf: String?
    public var baseModuleBrName: String?
    public var baseModuleBrStream: String?
    public var baseModuleBrStreamVersionLte: Int64?
    public var baseModuleBrStreamVersionGte: Int64?
    public var pungiConfigDump: String?

    public init(owner: String, sourceType: SourceType, source: String, secondsToLive: Int) {
        self.owner = owner
        self.sourceType = sourceType
        self.source = source
        self.secondsToLive = secondsToLive
    }

    /// `Compose.create_copy`: every option of `old`, none of its state, times or identity.
    public init(copying old: Compose, owner: String, secondsToLive: Int) {
        self.init(owner: owner, sourceType: old.sourceType, source: old.source, secondsToLive: secondsToLive)
        results = old.results
        flags = old.flags
        packages = old.packages
        builds = old.builds
        sigkeys = old.sigkeys
        kojiEvent = old.kojiEvent
        arches = old.arches
        multilibArches = old.multilibArches
        multilibMethod = old.multilibMethod
        lookasideRepos = old.lookasideRepos
        modularKojiTags = old.modularKojiTags
        moduleDefaultsURL = old.moduleDefaultsURL
        label = old.label
        composeType = old.composeType
        targetDir = old.targetDir
        scratchModules = old.scratchModules
        parentPungiComposeIDs = old.parentPungiComposeIDs
        scratchBuildTasks = old.scratchBuildTasks
        modules = old.modules
        respinOf = old.respinOf
        baseModuleBrName = old.baseModuleBrName
        baseModuleBrStream = old.baseModuleBrStream
        baseModuleBrStreamVersionLte = old.baseModuleBrStreamVersionLte
        baseModuleBrStreamVersionGte = old.baseModuleBrStreamVersionGte
        pungiConfigDump = old.pungiConfigDump
    }
}
