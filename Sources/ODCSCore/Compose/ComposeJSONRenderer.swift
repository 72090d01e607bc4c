import struct Foundation.Date

/// Renders `Compose.json()` exactly as upstream does: 42 keys (43 with `pungi_config_dump`
/// for the detail view), sorted, nulls kept, times in whole UTC seconds.
public struct ComposeJSONRenderer: Sendable {
    public var targetDirURL: String
    public var defaultTargetDir: String
    /// Extra target dirs by name; the JSON names the one whose path matches.
    public var extraTargetDirs: [String: String]

    public init(targetDirURL: String, defaultTargetDir: String, extraTargetDirs: [String: String] = [:]) {
        self.targetDirURL = targetDirURL
        self.defaultTargetDir = defaultTargetDir
        self.extraTargetDirs = extraTargetDirs
    }

    public func isDefaultTargetDir(_ compose: Compose) -> Bool {
        compose.targetDir == nil || compose.targetDir == defaultTargetDir
    }

    public func targetDirName(_ compose: Compose) -> String {
        if isDefaultTargetDir(compose) { return "default" }
        return extraTargetDirs.sorted { $0.key < $1.key }.first { $0.value == compose.targetDir }?.key ?? "unknown"
    }

    /// `os.path.join(target_dir_url, name)`, which does not double a trailing slash.
    func joinURL(_ base: String, _ path: String) -> String {
        base.hasSuffix("/") ? base + path : base + "/" + path
    }

    public func toplevelURL(_ compose: Compose) -> String {
        isDefaultTargetDir(compose) ? joinURL(targetDirURL, compose.name) : ""
    }

    public func resultRepo(_ compose: Compose) -> String {
        guard isDefaultTargetDir(compose), compose.sourceType != .rawConfig else { return "" }
        return joinURL(targetDirURL, compose.name + "/compose/Temporary")
    }

    public func resultRepofile(_ compose: Compose) -> String {
        let repo = resultRepo(compose)
        return repo.isEmpty ? "" : repo + "/" + compose.name + ".repo"
    }

    public func render(_ compose: Compose, full: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(1400)
        render(compose, full: full, into: &out)
        return out
    }

    /// Appends the JSON object to `out`, so that lists and messages embed composes without
    /// building intermediate strings.
    public func render(_ compose: Compose, full: Bool = false, into out: inout String) {
        var first = true
        func key(_ name: String) {
            out += first ? "{\"" : ",\""
            first = false
            out += name
            out += "\":"
        }
        func string(_ name: String, _ value: String?) {
            key(name)
            if let value { JSONValue.writeString(value, into: &out) } else { out += "null" }
        }
        func int(_ name: String, _ value: Int64?) {
            key(name)
            out += value.map { String($0) } ?? "null"
        }
        func time(_ name: String, _ value: Date?) {
            key(name)
            if let value { out += "\""; out += ComposeTime.format(value); out += "\"" } else { out += "null" }
        }
        func list(_ name: String, _ values: [String]) {
            key(name)
            out += "["
            for (offset, value) in values.enumerated() {
                if offset > 0 { out += "," }
                JSONValue.writeString(value, into: &out)
            }
            out += "]"
        }

        string("arches", compose.arches)
        string("base_module_br_name", compose.baseModuleBrName)
        string("base_module_br_stream", compose.baseModuleBrStream)
        int("base_module_br_stream_version_gte", compose.baseModuleBrStreamVersionGte)
        int("base_module_br_stream_version_lte", compose.baseModuleBrStreamVersionLte)
        string("builds", compose.builds)
        string("compose_type", compose.composeType)
        list("flags", compose.flags.names)
        int("id", compose.id)
        int("koji_event", compose.kojiEvent)
        int("koji_task_id", compose.kojiTaskID)
        string("label", compose.label)
        string("lookaside_repos", compose.lookasideRepos)
        string("modular_koji_tags", compose.modularKojiTags)
        string("module_defaults_url", compose.moduleDefaultsURL)
        string("modules", compose.modules)
        string("multilib_arches", compose.multilibArches)
        int("multilib_method", compose.multilibMethod.map(Int64.init))
        string("owner", compose.owner)
        string("packages", compose.packages)
        string("parent_pungi_compose_ids", compose.parentPungiComposeIDs)
        string("pungi_compose_id", compose.pungiComposeID)
        if full { string("pungi_config_dump", compose.pungiConfigDump) }
        string("removed_by", compose.removedBy)
        string("respin_of", compose.respinOf)
        string("result_repo", resultRepo(compose))
        string("result_repofile", resultRepofile(compose))
        list("results", compose.results.names)
        string("scratch_build_tasks", compose.scratchBuildTasks)
        string("scratch_modules", compose.scratchModules)
        string("sigkeys", compose.sigkeys ?? "")
        string("source", compose.source)
        int("source_type", Int64(compose.sourceType.rawValue))
        int("state", Int64(compose.state.rawValue))
        string("state_name", compose.state.name)
        string("state_reason", compose.stateReason)
        string("target_dir", targetDirName(compose))
        time("time_done", compose.timeDone)
        time("time_removed", compose.timeRemoved)
        time("time_started", compose.timeStarted)
        time("time_submitted", compose.timeSubmitted)
        time("time_to_expire", compose.timeToExpire)
        string("toplevel_url", toplevelURL(compose))
        out += "}"
    }
}

extension ComposeJSONRenderer {
    /// Upstream's one message type (reference §11): `{"event": "state-changed", "compose": …}`
    /// with the compose JSON without `pungi_config_dump`. The event backends and the event
    /// stream send this text.
    public func stateChangedMessage(_ compose: Compose) -> String {
        var body = #"{"event": "state-changed", "compose": "#
        render(compose, full: false, into: &body)
        body += "}"
        return body
    }
}
