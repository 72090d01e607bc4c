/// `PATCH /api/1/composes/<id>` (reference §1.7): either a copy of the compose to generate
/// again, or an extension of its expiry (and of the composes it shares files with).
public enum RenewPlan: Sendable, Equatable {
    case copy(NewCompose)
    case extend(secondsToLive: Int)
}

public struct RenewRequestParser: Sendable {
    public var policy: RequestPolicy

    public init(policy: RequestPolicy) { self.policy = policy }

    /// `body` is nil when the request had no body (the client sends none for a plain renew).
    public func plan(body: JSONValue?, old: Compose, owner: String) throws(RequestError) -> RenewPlan {
        var data = JSONObject()
        if let body {
            guard case .object(let object) = body else { throw RequestError("The PATCH body must be a JSON object") }
            data = object
        }
        try InputValidator.validate(data)
        let parser = ComposeRequestParser(policy: policy)

        let sigkeys = try parser.joinedList(data, "sigkeys") ?? old.sigkeys
        var label = old.label
        if let requested = try parser.string(data, "label"), !requested.isEmpty { label = requested }
        var modules: String?
        var builds: String?
        if let source = data["source"] {
            guard case .object(let sourceData) = source else { throw RequestError("source should be an object") }
            modules = try parser.joinedList(sourceData, "modules")
            builds = try parser.joinedList(sourceData, "builds")
        }
        let rawConfigKey = old.sourceType == .rawConfig ? old.source.split(separator: "#").first.map(String.init) : nil
        let secondsToLive = try policy.secondsToLive(for: data, rawConfigKey: rawConfigKey)

        let mustCopy =
            old.state == .removed || old.state == .failed || label != old.label || sigkeys != old.sigkeys
            || modules != nil || builds != nil
        guard mustCopy else { return .extend(secondsToLive: secondsToLive) }

        var copy = NewCompose(copying: old, owner: owner, secondsToLive: secondsToLive)
        copy.sigkeys = sigkeys
        copy.label = label
        if let modules, !modules.isEmpty { copy.modules = modules }
        if let builds, !builds.isEmpty { copy.builds = builds }
        copy.composeType = old.composeType ?? "test"
        copy.respinOf = old.pungiComposeID
        // The copy is generated: every value it keeps from the old compose is checked again.
        try ComposeFieldRules(policy: policy).check(copy)
        return .copy(copy)
    }
}
