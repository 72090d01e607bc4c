/// The configuration a request is validated and normalised against (upstream `conf.*`).
public struct RequestPolicy: Sendable {
    /// Per raw_config source overrides of the time to live.
    public struct RawConfigTTL: Sendable, Equatable {
        public var secondsToLive: Int?
        public var maxSecondsToLive: Int?
        public init(secondsToLive: Int? = nil, maxSecondsToLive: Int? = nil) {
            self.secondsToLive = secondsToLive
            self.maxSecondsToLive = maxSecondsToLive
        }
    }

    public var secondsToLive: Int
    public var maxSecondsToLive: Int
    public var defaultArches: [String]
    public var defaultSigkeys: [String]
    public var defaultTargetDir: String
    public var extraTargetDirs: [String: String]
    public var rawConfigs: [String: RawConfigTTL]
    public var baseModuleNames: Set<String>
    /// Local repository paths must be inside one of these (`repo_source_roots`).
    public var repoSourceRoots: [String]
    /// URLs a request makes a node fetch must start with one of these; empty allows any
    /// http(s) URL (`repo_source_url_prefixes`).
    public var sourceURLPrefixes: [String]
    /// Most package names in one request (`max_packages`).
    public var maxPackages: Int
    /// Most items in any other list-valued field, `source` included (`max_list_items`).
    public var maxListItems: Int

    public init(
        secondsToLive: Int = 86_400, maxSecondsToLive: Int = 259_200, defaultArches: [String] = ["x86_64"],
        defaultSigkeys: [String] = [], defaultTargetDir: String = "/tmp", extraTargetDirs: [String: String] = [:],
        rawConfigs: [String: RawConfigTTL] = [:], baseModuleNames: Set<String> = ["platform", "bootstrap"],
        repoSourceRoots: [String] = ["/"], sourceURLPrefixes: [String] = [], maxPackages: Int = 20_000, maxListItems: Int = 2_000
    ) {
        self.secondsToLive = secondsToLive
        self.maxSecondsToLive = maxSecondsToLive
        self.defaultArches = defaultArches
        self.defaultSigkeys = defaultSigkeys
        self.defaultTargetDir = defaultTargetDir
        self.extraTargetDirs = extraTargetDirs
        self.rawConfigs = rawConfigs
        self.baseModuleNames = baseModuleNames
        self.repoSourceRoots = repoSourceRoots
        self.sourceURLPrefixes = sourceURLPrefixes
        self.maxPackages = maxPackages
        self.maxListItems = maxListItems
    }

    /// `_get_seconds_to_live`: the request's TTL capped at the maximum, the default when
    /// none (or 0) is asked for. Both spellings of the key are read; the legacy hyphenated
    /// one may be a numeric string, as the `odcs renew` CLI sends it.
    public func secondsToLive(for request: JSONObject, rawConfigKey: String?) throws(RequestError) -> Int {
        let overrides = rawConfigKey.flatMap { rawConfigs[$0] }
        let defaultTTL = overrides?.secondsToLive ?? secondsToLive
        let maxTTL = overrides?.maxSecondsToLive ?? maxSecondsToLive
        var value = request["seconds_to_live"]
        if value == nil || value == .null { value = request["seconds-to-live"] }
        guard let value, value.isTruthy else { return defaultTTL }
        let invalid = RequestError("Invalid seconds_to_live specified in request: \(JSONValue.object(request).pythonRepr)")
        let requested: Int
        switch value {
        case .int(let i): requested = i
        case .bool(let b): requested = b ? 1 : 0
        case .double(let d) where d.isFinite:
            // Python's int() truncates floats; beyond 64 bits it is "enormous" and capped below.
            requested = d >= 9.2e18 ? Int.max : (d <= -9.2e18 ? Int.min : Int(d))
        case .string(let s):
            // Python's int(): any script's decimal digits, underscores, surrounding space; an
            // integer beyond 64 bits is valid and enormous to Python, so it is capped below.
            switch PythonText.int(s) {
            case .value(let parsed)?: requested = parsed
            case .huge(let negative)?: requested = negative ? Int.min : Int.max
            case nil: throw invalid
            }
        default: throw invalid
        }
        // Upstream accepts a negative TTL (the compose is born expired); we refuse it.
        guard requested > 0 else {
            throw RequestError("seconds_to_live must be a positive number of seconds, got \(requested)")
        }
        return min(requested, maxTTL)
    }
}
