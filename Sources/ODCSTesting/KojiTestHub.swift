import Foundation
import Hummingbird
import Logging
import NIOCore
import ODCSKoji

#if canImport(Glibc)
    import Glibc
#endif

/// A Koji hub for tests: an HTTP server on 127.0.0.1 that answers Koji's XML-RPC wire format
/// (keyword structs, `<nil/>`, faults, `multiCall`) for the read calls ODCS makes, from a
/// `KojiHubData`. Koji itself cannot be installed here; this is the one stand-in.
///
///     let hub = KojiTestHub(data: fixture.data)
///     try await hub.serving { url in /* url = http://127.0.0.1:<port>/kojihub */ }
///
/// Tests change the data while it serves (tag a build → a new event), make a method fail
/// (`fail`) or stall (`stall`), and read the calls it received (`calls`).
public actor KojiTestHub {
    public private(set) var data: KojiHubData
    /// Every call received, multiCall members one by one, in order.
    public private(set) var calls: [XMLRPCCall] = []
    private var faults: [String: (code: Int, message: String)] = [:]
    private var stalls: [String: Duration] = [:]

    public init(data: KojiHubData) {
        self.data = data
    }

    public func update(_ change: (inout KojiHubData) -> Void) {
        change(&data)
        index = nil
    }

    /// RPMs and signatures by build and by RPM (indexes into `data`), built on first use after
    /// a change: a Fedora-scale fixture has 100,000 RPMs, too many to scan per build.
    private struct Index {
        var rpms: [Int64: [Int]] = [:]
        var signatures: [Int64: [Int]] = [:]
    }
    private var index: Index?

    private func currentIndex() -> Index {
        if let index { return index }
        var built = Index()
        for (offset, rpm) in data.rpms.enumerated() { built.rpms[rpm.build, default: []].append(offset) }
        for (offset, signature) in data.signatures.enumerated() { built.signatures[signature.rpm, default: []].append(offset) }
        index = built
        return built
    }

    private func rpms(ofBuild build: Int64) -> [KojiHubData.RPM] { (currentIndex().rpms[build] ?? []).map { data.rpms[$0] } }

    /// Every later call of `method` answers this fault (Koji's GenericError is 1000).
    public func fail(_ method: String, code: Int = 1000, message: String) {
        faults[method] = (code, message)
    }

    /// Every later call of `method` waits this long before answering (for client timeouts).
    public func stall(_ method: String, for duration: Duration) {
        stalls[method] = duration
    }

    public func clearFailures() {
        faults = [:]
        stalls = [:]
    }

    public func calls(of method: String) -> [XMLRPCCall] { calls.filter { $0.methodName == method } }

    private var callWaiters: [UInt64: (method: String, count: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var nextWaiter: UInt64 = 0

    /// Returns once the hub has received `count` calls of `method` (at once if it has), or
    /// when the task is cancelled: a client's request can reach the hub after the client gave
    /// up on it, so a test that counts attempts waits for them instead of reading `calls` at
    /// once, bounded by a deadline of its own.
    public func waitForCalls(of method: String, count: Int) async {
        guard calls(of: method).count < count else { return }
        nextWaiter += 1
        let id = nextWaiter
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    callWaiters[id] = (method, count, continuation)
                }
            }
        } onCancel: {
            Task { await self.releaseWaiter(id) }
        }
    }

    private func releaseWaiter(_ id: UInt64) {
        callWaiters.removeValue(forKey: id)?.continuation.resume()
    }

    /// Answers one HTTP request body.
    func handle(_ body: Data) async -> String {
        let call: XMLRPCCall
        do {
            call = try XMLRPCDecoder().decodeCall(body)
        } catch {
            return XMLRPCEncoder().encode(.fault(code: 1000, message: "\(error)"))
        }
        if call.methodName == XMLRPCMultiCall.methodName || call.methodName == XMLRPCMultiCall.standardMethodName {
            do {
                var responses: [XMLRPCResponse] = []
                for member in try XMLRPCMultiCall.decodeCall(call) { responses.append(await answer(member)) }
                return XMLRPCMultiCall.encodeResponse(responses)
            } catch {
                return XMLRPCEncoder().encode(.fault(code: 1000, message: "\(error)"))
            }
        }
        return XMLRPCEncoder().encode(await answer(call))
    }

    func answer(_ call: XMLRPCCall) async -> XMLRPCResponse {
        calls.append(call)
        for (id, waiter) in callWaiters where calls(of: waiter.method).count >= waiter.count {
            callWaiters.removeValue(forKey: id)?.continuation.resume()
        }
        if let stall = stalls[call.methodName] { try? await Task.sleep(for: stall) }
        if let fault = faults[call.methodName] { return .fault(code: fault.code, message: fault.message) }
        do {
            return .value(try dispatch(KojiHubCall(call)))
        } catch let fault as KojiHubCall.Fault {
            return .fault(code: 1000, message: fault.message)
        } catch {
            return .fault(code: 1000, message: "\(error)")
        }
    }

    private func dispatch(_ call: KojiHubCall) throws -> XMLRPCValue {
        switch call.name {
        case "getAPIVersion":
            return .int(1)
        case "getKojiVersion":
            return .string("1.35.3")
        case "getLastEvent":
            return data.value(data.events.last!)
        case "getEvent":
            let id = try call.int(0, "id")
            guard let event = data.events.first(where: { $0.id == id }) else { throw KojiHubCall.Fault("No such event: \(id)") }
            return data.value(event)
        case "getTag":
            return try tag(call.argument(0, "taginfo")).map { data.value($0) } ?? .nil
        case "getInheritanceData":
            guard let tag = try tag(call.argument(0, "tag")) else { throw KojiHubCall.Fault("No such tagInfo: \(call.arguments)") }
            let event = try call.optionalInt(1, "event") ?? data.lastEvent
            return .array(data.parents(of: tag.id, at: event).map { data.value($0, depth: nil) })
        case "getFullInheritance":
            guard let tag = try tag(call.argument(0, "tag")) else { throw KojiHubCall.Fault("No such tagInfo: \(call.arguments)") }
            let event = try call.optionalInt(1, "event") ?? data.lastEvent
            return .array(data.fullInheritance(of: tag.id, at: event).map { data.value($0.link, depth: $0.depth) })
        case "tagChangedSinceEvent":
            let event = try call.int(0, "event")
            guard let ids = try call.argument(1, "taglist").arrayValue?.compactMap(\.intValue) else {
                throw KojiHubCall.Fault("taglist must be a list of tag ids")
            }
            return .bool(data.changed(since: event, tags: ids))
        case "getRepo":
            // getRepo(tag, state=None, event=None, dist=False): only ready, non-dist repos are kept here.
            guard let tag = try tag(call.argument(0, "tag")) else { throw KojiHubCall.Fault("No such tagInfo: \(call.arguments)") }
            return try data.repo(ofTag: tag.id, event: call.optionalInt(2, "event")).map { data.value($0) } ?? .nil
        case "listTaggedRPMS":
            return try listTaggedRPMS(call)
        case "listTagged":
            return try listTagged(call)
        case "search":
            // Builds only, exact or shell-style (`glob`) NVR matches, as Koji's search answers them.
            let terms = try call.argument(0, "terms").stringValue ?? ""
            guard try call.argument(1, "type").stringValue == "build" else { throw KojiHubCall.Fault("unsupported search type") }
            let glob = call.optionalArgument(2, "matchType")?.stringValue == "glob"
            let matches = data.builds.filter { glob ? fnmatch(terms, $0.nvr, 0) == 0 : $0.nvr == terms }
            return .array(matches.map { .struct([("id", .int($0.id)), ("name", .string($0.nvr))]) })
        case "getBuild":
            let info = try call.argument(0, "buildInfo")
            let build = info.intValue.flatMap { data.build(id: $0) } ?? info.stringValue.flatMap { data.build(nvr: $0) }
            return build.map { data.value($0) } ?? .nil
        case "listRPMs", "listBuildRPMs":
            let info = try call.argument(0, call.name == "listRPMs" ? "buildID" : "build")
            guard let build = info.intValue.flatMap({ data.build(id: $0) }) ?? info.stringValue.flatMap({ data.build(nvr: $0) })
            else { return .array([]) }
            return .array(rpms(ofBuild: build.id).map { data.value($0) })
        case "listArchives":
            // listArchives(buildID, buildrootID, componentBuildrootID, hostID, type, ...): by build and build type.
            let build = call.optionalArgument(0, "buildID").flatMap(\.intValue)
            let type = call.optionalArgument(4, "type").flatMap(\.stringValue)
            guard type == nil || type == "module" else { throw KojiHubCall.Fault("unsupported archive type: \(type!)") }
            return .array(
                data.archives.filter { (build == nil || $0.build == build) && (type == nil || $0.btype == type) }.map { data.value($0) })
        case "queryRPMSigs":
            let rpm = try call.int(0, "rpm_id")
            let signatures = (currentIndex().signatures[rpm] ?? []).map { data.signatures[$0] }
            return .array(
                signatures.map { .struct([("rpm_id", .int($0.rpm)), ("sigkey", .string($0.sigkey)), ("sighash", .string(""))]) })
        default:
            throw KojiHubCall.Fault("Invalid method: \(call.name)")
        }
    }

    private func tag(_ info: XMLRPCValue) -> KojiHubData.Tag? {
        if let id = info.intValue { return data.tag(id: id) }
        return info.stringValue.flatMap { data.tag(named: $0) }
    }

    /// The tag and event of a tag listing (`listTaggedRPMS`, `listTagged`), faulting as Koji does.
    private func listingTagAndEvent(_ call: KojiHubCall) throws -> (KojiHubData.Tag, Int64) {
        guard let tag = try tag(call.argument(0, "tag")) else {
            throw KojiHubCall.Fault("No such tagInfo: '\(call.arguments.first?.stringValue ?? "")'")
        }
        let event = try call.optionalInt(1, "event") ?? data.lastEvent
        guard data.events.contains(where: { $0.id == event }) else { throw KojiHubCall.Fault("No such event: \(event)") }
        return (tag, event)
    }

    private func listTaggedRPMS(_ call: KojiHubCall) throws -> XMLRPCValue {
        let (tag, event) = try listingTagAndEvent(call)
        let inherit = call.bool(2, "inherit")
        let latest = call.bool(3, "latest")
        let tagged = data.taggedBuilds(tag: tag.id, event: event, inherit: inherit, latest: latest)
        var rpms: [XMLRPCValue] = []
        for entry in tagged {
            rpms += self.rpms(ofBuild: entry.build.id).map { data.value($0) }
        }
        let builds = tagged.map { data.value($0.build, listing: ($0.tag, $0.listing)) }
        return .array([.array(rpms), .array(builds)])
    }

    /// Koji's `listTagged(tag, event, inherit, prefix, latest, package, owner, type)`: the
    /// builds, of one build type if `type` is given (`rpm` or `module` here).
    private func listTagged(_ call: KojiHubCall) throws -> XMLRPCValue {
        let (tag, event) = try listingTagAndEvent(call)
        let type = call.optionalArgument(7, "type").flatMap(\.stringValue)
        guard type == nil || type == "rpm" || type == "module" else { throw KojiHubCall.Fault("unsupported build type: \(type!)") }
        let tagged = data.taggedBuilds(tag: tag.id, event: event, inherit: call.bool(2, "inherit"), latest: call.bool(4, "latest"))
            .filter { type == nil || ($0.build.module != nil) == (type == "module") }
        return .array(tagged.map { data.value($0.build, listing: ($0.tag, $0.listing)) })
    }

    /// Serves until `body` returns; `body` gets the hub URL (`http://<host>:<port>/kojihub`).
    /// Port 0 takes any free port.
    public func serving<R: Sendable>(
        host: String = "127.0.0.1", port: Int = 0, _ body: @Sendable (String) async throws -> R
    ) async throws -> R {
        let router = Router()
        router.post("kojihub") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 64 << 20)
            let answer = await self.handle(Data(buffer.readableBytesView))
            return Response(
                status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        return try await StaticFileServer.serving(router, host: host, port: port, label: "koji-test-hub") { port in
            try await body("http://\(host):\(port)/kojihub")
        }
    }
}

/// A received call with Koji's argument conventions: a parameter by position or by keyword.
struct KojiHubCall {
    struct Fault: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    var name: String
    var arguments: [XMLRPCValue]
    var keywords: [(String, XMLRPCValue)]

    init(_ call: XMLRPCCall) {
        name = call.methodName
        arguments = call.arguments
        keywords = call.keywordArguments
    }

    func optionalArgument(_ index: Int, _ keyword: String) -> XMLRPCValue? {
        if let value = keywords.first(where: { $0.0 == keyword })?.1 { return value }
        return index < arguments.count ? arguments[index] : nil
    }

    func argument(_ index: Int, _ keyword: String) throws -> XMLRPCValue {
        guard let value = optionalArgument(index, keyword) else { throw Fault("\(name)() missing argument '\(keyword)'") }
        return value
    }

    func int(_ index: Int, _ keyword: String) throws -> Int64 {
        guard let value = try argument(index, keyword).intValue else { throw Fault("\(name)(): '\(keyword)' must be an int") }
        return value
    }

    func optionalInt(_ index: Int, _ keyword: String) throws -> Int64? {
        guard let value = optionalArgument(index, keyword), !value.isNil else { return nil }
        guard let int = value.intValue else { throw Fault("\(name)(): '\(keyword)' must be an int") }
        return int
    }

    func bool(_ index: Int, _ keyword: String) -> Bool {
        guard let value = optionalArgument(index, keyword) else { return false }
        return value.boolValue ?? (value.intValue.map { $0 != 0 } ?? false)
    }
}
