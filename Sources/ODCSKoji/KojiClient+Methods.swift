/// The hub calls ODCS makes, typed. Names and keyword arguments are Koji's own.
extension KojiClient {
    public func getAPIVersion() async throws(KojiError) -> Int64 {
        guard let version = try await call("getAPIVersion").intValue else { throw .malformedResponse("getAPIVersion is not an int") }
        return version
    }

    public func getLastEvent() async throws(KojiError) -> KojiEvent {
        try KojiEvent(await call("getLastEvent"))
    }

    /// Koji faults for an event it does not know.
    public func getEvent(_ id: Int64) async throws(KojiError) -> KojiEvent {
        try KojiEvent(await call("getEvent", [.int(id)]))
    }

    /// nil when the tag does not exist.
    public func getTag(_ name: String, event: Int64? = nil) async throws(KojiError) -> KojiTag? {
        let value = try await call("getTag", [.string(name)], keywords: event.map { [("event", .int($0))] } ?? [])
        return value.isNil ? nil : try KojiTag(value)
    }

    public func getTag(id: Int64) async throws(KojiError) -> KojiTag? {
        let value = try await call("getTag", [.int(id)])
        return value.isNil ? nil : try KojiTag(value)
    }

    /// The tag's newest ready repository created at or before `event` (Koji's
    /// `getRepo(tag, state, event)`); nil when it has none.
    public func getRepo(_ tag: String, event: Int64? = nil) async throws(KojiError) -> KojiRepo? {
        let value = try await call("getRepo", [.string(tag)], keywords: event.map { [("event", .int($0))] } ?? [])
        return value.isNil ? nil : try KojiRepo(value)
    }

    /// The tag's direct parents.
    public func getInheritanceData(_ tag: String, event: Int64? = nil) async throws(KojiError) -> [KojiInheritanceLink] {
        let value = try await call("getInheritanceData", [.string(tag)], keywords: event.map { [("event", .int($0))] } ?? [])
        return try links(value, call: "getInheritanceData", tag: nil)
    }

    /// Every tag the tag inherits from, at any depth, in Koji's inheritance order.
    public func getFullInheritance(_ tagID: Int64, event: Int64? = nil) async throws(KojiError) -> [KojiInheritanceLink] {
        let value = try await call("getFullInheritance", [.int(tagID)], keywords: event.map { [("event", .int($0))] } ?? [])
        return try links(value, call: "getFullInheritance", tag: tagID)
    }

    /// Whether any of the tags gained or lost a build, or changed inheritance, after `event`.
    public func tagChangedSinceEvent(_ event: Int64, tagIDs: [Int64]) async throws(KojiError) -> Bool {
        let value = try await call("tagChangedSinceEvent", [.int(event), .array(tagIDs.map { .int($0) })])
        if let changed = value.boolValue { return changed }
        if let changed = value.intValue { return changed != 0 }
        throw .malformedResponse("tagChangedSinceEvent is not a boolean")
    }

    /// `[rpms, builds]` of the tag at `event`: the latest build of each package when `latest`,
    /// including inherited tags when `inherit`.
    public func listTaggedRPMS(
        _ tag: String, event: Int64?, inherit: Bool, latest: Bool
    ) async throws(KojiError) -> (rpms: [KojiRPM], builds: [KojiBuild]) {
        var keywords: [(String, XMLRPCValue)] = [("inherit", .bool(inherit)), ("latest", .bool(latest))]
        if let event { keywords.insert(("event", .int(event)), at: 0) }
        let value = try await call("listTaggedRPMS", [.string(tag)], keywords: keywords)
        guard let pair = value.arrayValue, pair.count == 2, let rpms = pair[0].arrayValue, let builds = pair[1].arrayValue else {
            throw .malformedResponse("listTaggedRPMS must answer [rpms, builds]")
        }
        return (
            try rpms.map { value throws(KojiError) in try KojiRPM(value) },
            try builds.map { value throws(KojiError) in try KojiBuild(value) }
        )
    }

    /// nil when Koji has no such build.
    public func getBuild(_ nvr: String) async throws(KojiError) -> KojiBuild? {
        let value = try await call("getBuild", [.string(nvr)])
        return value.isNil ? nil : try KojiBuild(value)
    }

    /// nil when Koji has no such build. The answer includes the build's `extra` (a module
    /// build's modulemd and content tag).
    public func getBuild(id: Int64) async throws(KojiError) -> KojiBuild? {
        let value = try await call("getBuild", [.int(id)])
        return value.isNil ? nil : try KojiBuild(value)
    }

    /// The builds in the tag at `event` (with its inheritance when `inherit`), of one build
    /// type when `type` is given (`"module"`), most recently tagged first.
    public func listTagged(_ tag: String, event: Int64?, inherit: Bool, type: String? = nil) async throws(KojiError) -> [KojiBuild] {
        var keywords: [(String, XMLRPCValue)] = [("inherit", .bool(inherit))]
        if let event { keywords.insert(("event", .int(event)), at: 0) }
        if let type { keywords.append(("type", .string(type))) }
        let value = try await call("listTagged", [.string(tag)], keywords: keywords)
        guard let builds = value.arrayValue else { throw .malformedResponse("listTagged must answer a list") }
        return try builds.map { value throws(KojiError) in try KojiBuild(value) }
    }

    /// The ids of the builds whose NVR matches `terms` (Koji's `search(terms, "build",
    /// matchType)`, a shell-style pattern when `glob`).
    public func searchBuilds(_ terms: String, glob: Bool) async throws(KojiError) -> [Int64] {
        let value = try await call("search", [.string(terms), .string("build"), .string(glob ? "glob" : "exact")])
        guard let matches = value.arrayValue else { throw .malformedResponse("search must answer a list") }
        return try matches.map { match throws(KojiError) in
            guard let id = match["id"]?.intValue else { throw .malformedResponse("a search match needs an id") }
            return id
        }
    }

    /// The build's archives of one build type (`listArchives(buildID=, type=)`, e.g. `"module"`).
    public func listArchives(buildID: Int64, type: String) async throws(KojiError) -> [KojiArchive] {
        let value = try await call("listArchives", keywords: [("buildID", .int(buildID)), ("type", .string(type))])
        guard let archives = value.arrayValue else { throw .malformedResponse("listArchives must answer a list") }
        return try archives.map { value throws(KojiError) in try KojiArchive(value) }
    }

    public func listRPMs(buildID: Int64) async throws(KojiError) -> [KojiRPM] {
        let value = try await call("listRPMs", keywords: [("buildID", .int(buildID))])
        guard let rpms = value.arrayValue else { throw .malformedResponse("listRPMs must answer a list") }
        return try rpms.map { value throws(KojiError) in try KojiRPM(value) }
    }

    /// `getBuild` for many NVRs in one `multiCall`; nil for a build Koji does not have.
    public func getBuilds(_ nvrs: [String]) async throws(KojiError) -> [KojiBuild?] {
        let results = try await multiCall(nvrs.map { XMLRPCCall(methodName: "getBuild", arguments: [.string($0)]) })
        return try results.map { result throws(KojiError) in
            let value = try result.get()
            return value.isNil ? nil : try KojiBuild(value)
        }
    }

    /// `listRPMs` for many builds in one `multiCall`.
    public func listRPMs(buildIDs: [Int64]) async throws(KojiError) -> [[KojiRPM]] {
        let results = try await multiCall(
            buildIDs.map { XMLRPCCall(methodName: "listRPMs", keywordArguments: [("buildID", .int($0))]) })
        return try results.map { result throws(KojiError) in
            guard let rpms = try result.get().arrayValue else { throw .malformedResponse("listRPMs must answer a list") }
            return try rpms.map { value throws(KojiError) in try KojiRPM(value) }
        }
    }

    private func links(_ value: XMLRPCValue, call: String, tag: Int64?) throws(KojiError) -> [KojiInheritanceLink] {
        guard let entries = value.arrayValue else { throw .malformedResponse("\(call) must answer a list") }
        return try entries.map { entry throws(KojiError) in try KojiInheritanceLink(entry, queriedTag: tag) }
    }
}
