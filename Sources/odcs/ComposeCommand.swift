import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import ODCSNode

/// `odcs compose …`: client commands against a running service.
struct ComposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose", abstract: "Client commands for composes on a running service.", subcommands: [Wait.self])

    /// `odcs compose wait ID`: follows the compose's state changes on the event stream
    /// (`GET /api/1/events/?compose_id=`), printing each, until it is done (exit 0) or
    /// failed or removed (exit 1). A dropped stream is resumed from the last event seen.
    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wait for a compose to finish, showing its progress.")

        @Argument(help: "The compose id.")
        var id: Int64

        @Option(help: "The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).")
        var server: String?

        @Option(help: "Give up after this many seconds (exit 2).")
        var timeout: Int?

        func run() async throws {
            let server = server ?? ProcessInfo.processInfo.environment["ODCS_SERVER"] ?? "http://127.0.0.1:5005"
            let outcome = try await withThrowingTaskGroup(of: Int32.self) { group in
                group.addTask { try await follow(server: server) }
                if let timeout {
                    group.addTask {
                        try await Task.sleep(for: .seconds(timeout))
                        print("compose \(id): still not finished after \(timeout) s")
                        return 2
                    }
                }
                let first = try await group.next() ?? 1
                group.cancelAll()
                return first
            }
            if outcome != 0 { throw ExitCode(outcome) }
        }

        func follow(server: String) async throws -> Int32 {
            var lastState: String?
            if let code = report(try await fetch(server: server), previous: &lastState) { return code }
            // Not finished: replay the compose's events from its first (the outbox keeps them
            // for outbox_retention), so a change between the read above and the stream opening
            // is not missed; the states already printed are skipped.
            var lastEventID = "0"
            var syncing = true
            var delay = Duration.milliseconds(500)
            while true {
                do {
                    for try await event in EventStreamClient(server: server, composeID: id, lastEventID: lastEventID).events() {
                        if let eventID = event.id { lastEventID = eventID }
                        if let code = handle(event, &lastState, syncing: &syncing) { return code }
                        delay = .milliseconds(500)
                    }
                } catch {
                    if Task.isCancelled { throw error }
                    print("compose \(id): event stream lost (\(error)); reconnecting")
                }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }

        struct ComposeNotFound: Error, CustomStringConvertible {
            var description: String
        }

        /// While `syncing`, replayed events up to the one that made the state already printed
        /// are skipped (a finished state always counts).
        func handle(_ event: ServerSentEvent, _ lastState: inout String?, syncing: inout Bool) -> Int32? {
            guard event.event == "state-changed",
                let message = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
                let compose = message["compose"] as? [String: Any]
            else { return nil }
            let state = compose["state_name"] as? String
            if syncing && !["done", "failed", "removed"].contains(state ?? "") {
                if state == lastState { syncing = false }
                return nil
            }
            syncing = false
            return report(compose, previous: &lastState)
        }

        /// Prints a state change; the exit code once the compose is finished.
        func report(_ compose: [String: Any], previous: inout String?) -> Int32? {
            let state = compose["state_name"] as? String ?? "?"
            let reason = compose["state_reason"] as? String
            if state != previous {
                let arrow = previous.map { "\($0) → " } ?? ""
                print("compose \(id): \(arrow)\(state)\(reason.map { " (\($0))" } ?? "")")
                previous = state
            }
            switch state {
            case "done":
                if let repofile = compose["result_repofile"] as? String, !repofile.isEmpty { print("repofile: \(repofile)") }
                return 0
            case "failed", "removed": return 1
            default: return nil
            }
        }

        func fetch(server: String) async throws -> [String: Any] {
            var base = server
            while base.hasSuffix("/") { base.removeLast() }
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "\(base)/api/1/composes/\(id)"), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 4 << 20)
            guard response.status.code == 200,
                let compose = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            else {
                throw ComposeNotFound(description: "GET compose \(id) answered HTTP \(response.status.code): \(String(buffer: body))")
            }
            return compose
        }
    }
}
