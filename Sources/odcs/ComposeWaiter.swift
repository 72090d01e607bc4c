import Foundation
import ODCSClientKit
import ODCSCore

/// Follows a compose until it is done (exit 0), failed or removed (exit 1), or `timeout`
/// passes (exit 2), showing its state, the time waited and the node generating it.
///
/// State changes come from the event stream (`GET /api/1/events/?compose_id=`), replayed from
/// the compose's first event so that a change between the first read and the stream opening
/// is not missed; a dropped stream is resumed from the last event seen. The node comes from
/// `GET /api/1/nodes/` (each node lists the composes it generates) while the compose generates.
struct ComposeWaiter: Sendable {
    var id: Int64
    var client: ODCSClient
    var json: Bool
    var timeout: Int?

    func run() async throws -> Int32 {
        let progress = WaitProgress(id: id, toStandardError: json)
        let code = try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { try await follow(progress) }
            group.addTask {
                // The live line and the node: refreshed every second until the others finish.
                while !Task.isCancelled {
                    if await progress.needsNode { await progress.setNode(try? await generatingNode()) }
                    await progress.redraw()
                    try await Task.sleep(for: .seconds(1))
                }
                return nil
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return ClientExit.timedOut
                }
            }
            var result: Int32 = ClientExit.timedOut
            while let next = try await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            group.cancelAll()
            return result
        }
        if code == ClientExit.timedOut {
            await progress.note("still not finished after \(timeout ?? 0) s")
        } else if json {
            print(ClientOutput.prettyJSON(try await client.get("/api/1/composes/\(id)")))
        }
        return code
    }

    /// Shows a compose read from the server, and the node as soon as it generates.
    func show(_ compose: JSONValue, _ progress: WaitProgress) async -> Int32? {
        let before = await progress.state
        if let code = await progress.update(compose) { return code }
        if await progress.needsNode, before != "generating" { await progress.setNode(try? await generatingNode()) }
        return nil
    }

    func follow(_ progress: WaitProgress) async throws -> Int32 {
        if let code = await show(try await client.get("/api/1/composes/\(id)"), progress) { return code }
        var lastEventID = "0"
        var syncing = true
        var delay = Duration.milliseconds(500)
        while true {
            do {
                for try await event in EventStreamClient(server: client.server, composeID: id, lastEventID: lastEventID).events() {
                    if let eventID = event.id { lastEventID = eventID }
                    guard event.event == "state-changed",
                        case .object(let message)? = try? JSONValue.parse(event.data),
                        let compose = message["compose"]
                    else { continue }
                    // While syncing, replayed events up to the state already shown are skipped
                    // (a finished state always counts).
                    let state = compose.objectValue?["state_name"]?.stringValue ?? ""
                    if syncing && !WaitProgress.finished.contains(state) {
                        if await progress.state == state { syncing = false }
                        continue
                    }
                    syncing = false
                    if let code = await show(compose, progress) { return code }
                    delay = .milliseconds(500)
                }
            } catch {
                if Task.isCancelled { throw error }
                await progress.note("event stream lost (\(error)); reconnecting")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(10))
        }
    }

    /// The node whose lease holds the compose, if the server says.
    func generatingNode() async throws -> String? {
        let cluster = try await client.get("/api/1/nodes/")
        for node in cluster.objectValue?["nodes"]?.arrayValue ?? [] {
            guard let object = node.objectValue, let composes = object["composes"]?.arrayValue else { continue }
            if composes.contains(.int(Int(id))) { return object["id"]?.stringValue }
        }
        return nil
    }
}

/// What `wait` shows: a line per change of state or node, and on a terminal a live line
/// with the time waited, rewritten every second.
actor WaitProgress {
    static let finished: Set<String> = ["done", "failed", "removed"]

    let id: Int64
    let toStandardError: Bool
    let live: Bool
    let started = ContinuousClock.now
    private(set) var state: String?
    var node: String?
    var liveLineShown = false

    init(id: Int64, toStandardError: Bool) {
        self.id = id
        self.toStandardError = toStandardError
        self.live = isatty(toStandardError ? STDERR_FILENO : STDOUT_FILENO) == 1
    }

    var needsNode: Bool { state == "generating" }

    var elapsed: String {
        let seconds = (ContinuousClock.now - started).components.seconds
        return ClientOutput.duration(Int(seconds))
    }

    /// Shows a state change; the exit code once the compose is finished.
    func update(_ compose: JSONValue) -> Int32? {
        let object = compose.objectValue ?? JSONObject()
        let newState = object["state_name"]?.stringValue ?? "?"
        if newState != state {
            let arrow = state.map { "\($0) → " } ?? ""
            let reason = object["state_reason"]?.stringValue.map { " (\($0))" } ?? ""
            state = newState
            if newState != "generating" { node = nil }
            line("compose \(id): \(arrow)\(newState)\(reason), \(elapsed)")
        }
        switch newState {
        case "done":
            if let repofile = object["result_repofile"]?.stringValue, !repofile.isEmpty { line("repofile: \(repofile)") }
            return ClientExit.success
        case "failed", "removed": return ClientExit.composeFailed
        default: return nil
        }
    }

    func setNode(_ newNode: String?) {
        guard let newNode, newNode != node, state == "generating" else { return }
        node = newNode
        line("compose \(id): generating on node \(newNode), \(elapsed)")
    }

    func note(_ text: String) {
        line("compose \(id): \(text)")
    }

    /// The live line: `compose 12: generating · 42s · node a`.
    func redraw() {
        guard live, let state, !Self.finished.contains(state) else { return }
        var text = "compose \(id): \(state) · \(elapsed)"
        if let node { text += " · node \(node)" }
        write("\r\u{1B}[K" + text)
        liveLineShown = true
    }

    private func line(_ text: String) {
        write((liveLineShown ? "\r\u{1B}[K" : "") + text + "\n")
        liveLineShown = false
    }

    private func write(_ text: String) {
        let handle = toStandardError ? FileHandle.standardError : FileHandle.standardOutput
        handle.write(Data(text.utf8))
    }
}
