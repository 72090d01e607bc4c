/// The attributes of a compose that `allowed_clients` limits, as POST and PATCH check them.
public struct ComposeAccessRequest: Sendable, Equatable {
    public var sourceType: SourceType
    public var source: String
    public var results: ComposeResults
    public var flags: ComposeFlags
    public var arches: String?
    public var composeType: String?
    /// nil: not checked (upstream's PATCH does not check the target dir).
    public var targetDir: String?
    public var rawConfigKey: String?
    public var sigkeys: String?

    public init(
        sourceType: SourceType, source: String, results: ComposeResults = .repository, flags: ComposeFlags = [],
        arches: String? = nil, composeType: String? = "test", targetDir: String? = nil, rawConfigKey: String? = nil,
        sigkeys: String? = nil
    ) {
        self.sourceType = sourceType
        self.source = source
        self.results = results
        self.flags = flags
        self.arches = arches
        self.composeType = composeType
        self.targetDir = targetDir
        self.rawConfigKey = rawConfigKey
        self.sigkeys = sigkeys
    }

    /// A POST: everything the new compose asks for.
    public init(creating compose: NewCompose) {
        self.init(
            sourceType: compose.sourceType, source: compose.source, results: compose.results, flags: compose.flags,
            arches: compose.arches, composeType: compose.composeType, targetDir: compose.targetDir,
            rawConfigKey: Self.rawConfigKey(compose.sourceType, compose.source), sigkeys: compose.sigkeys)
    }

    /// A PATCH of `old` (upstream checks the old compose's attributes, its compose type
    /// defaulting to `test`, but not its target dir); `sigkeys` are the renewed compose's.
    public init(renewing old: Compose, sigkeys: String?) {
        self.init(
            sourceType: old.sourceType, source: old.source, results: old.results, flags: old.flags, arches: old.arches,
            composeType: old.composeType ?? "test", targetDir: nil, rawConfigKey: Self.rawConfigKey(old.sourceType, old.source),
            sigkeys: sigkeys)
    }

    static func rawConfigKey(_ sourceType: SourceType, _ source: String) -> String? {
        guard sourceType == .rawConfig else { return nil }
        return source.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
    }
}
