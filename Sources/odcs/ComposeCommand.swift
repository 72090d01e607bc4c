import ArgumentParser
import Foundation
import ODCSCore

/// `odcs compose …`: client commands for composes on a running service (docs/cli.md).
struct ComposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose", abstract: "Client commands for composes on a running service.",
        subcommands: [Create.self, Get.self, List.self, Wait.self, Renew.self, Delete.self])

    /// `odcs compose get ID`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one compose.")

        @Argument(help: "The compose id.") var id: Int64
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await ClientExit.run {
                let compose = try await options.client().get("/api/1/composes/\(id)")
                print(options.json ? ClientOutput.prettyJSON(compose) : ComposeView.details(compose))
                return ClientExit.success
            }
        }
    }

    /// `odcs compose list`: one page of composes, newest first unless `--order-by` says otherwise.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List composes (one page; filters are exact matches).")

        @Option(help: "Only this state: wait, generating, done, removed, failed (or its number).") var state: String?
        @Option(help: "Only this owner.") var owner: String?
        @Option(help: "Only this source type: tag, module, repo, pulp, raw_config, build, pungi_compose (or its number).")
        var sourceType: String?
        @Option(help: "Only composes whose whole source is this.") var source: String?
        @Option(help: "Only this label.") var label: String?
        @Option(help: "Only this compose type.") var composeType: String?
        @Option(help: "Only this Pungi compose id.") var pungiComposeID: String?
        @Option(help: "The page (from 1).") var page: Int?
        @Option(help: "Composes per page (server default 10).") var perPage: Int?
        @Option(
            help:
                "Sort key (id, owner, source_type, koji_event, state, time_to_expire, time_submitted, time_done, time_removed); a leading - sorts descending."
        )
        var orderBy: String?
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if let page, page < 1 { throw ValidationError("--page must be 1 or more") }
            if let perPage, perPage < 1 { throw ValidationError("--per-page must be 1 or more") }
            _ = try query()
        }

        func query() throws -> [(String, String)] {
            var query: [(String, String)] = []
            if let state { query.append(("state", try ComposeView.number(state, names: ComposeView.stateNames, "state"))) }
            if let sourceType {
                query.append(("source_type", try ComposeView.number(sourceType, names: ComposeView.sourceTypeNames, "source type")))
            }
            if let owner { query.append(("owner", owner)) }
            if let source { query.append(("source", source)) }
            if let label { query.append(("label", label)) }
            if let composeType { query.append(("compose_type", composeType)) }
            if let pungiComposeID { query.append(("pungi_compose_id", pungiComposeID)) }
            if let orderBy { query.append(("order_by", orderBy)) }
            if let page { query.append(("page", String(page))) }
            if let perPage { query.append(("per_page", String(perPage))) }
            return query
        }

        func run() async throws {
            let query = try query()
            try await ClientExit.run {
                let page = try await options.client().get("/api/1/composes/", query: query)
                if options.json {
                    print(ClientOutput.prettyJSON(page))
                } else {
                    print(ComposeView.listing(page))
                }
                return ClientExit.success
            }
        }
    }

    /// `odcs compose wait ID`: follows the compose until it is finished (docs/cli.md has the exit codes).
    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wait for a compose to finish, showing its progress.")

        @Argument(help: "The compose id.") var id: Int64
        @Option(help: "Give up after this many seconds (exit 2).") var timeout: Int?
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if let timeout, timeout < 1 { throw ValidationError("--timeout must be 1 or more") }
        }

        func run() async throws {
            try await ClientExit.run {
                try await ComposeWaiter(id: id, client: options.client(), json: options.json, timeout: timeout).run()
            }
        }
    }

    /// `odcs compose renew ID`: extends a done compose, or regenerates a removed or failed one
    /// (a new compose, printed).
    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Extend a done compose's time to live, or regenerate a removed or failed one.")

        @Argument(help: "The compose id.") var id: Int64
        @Option(name: [.customLong("seconds-to-live"), .customLong("ttl")], help: "New time to live from now, in seconds.")
        var secondsToLive: Int?
        @Option(help: "A new label (makes a new compose).") var label: String?
        @Option(name: .customLong("sigkey"), help: "Signing keys for the new compose (repeat; 'none' for unsigned).")
        var sigkeys: [String] = []
        @Flag(help: "Wait for a regenerated compose to finish.") var wait = false
        @Option(help: "With --wait: give up after this many seconds (exit 2).") var timeout: Int?
        @OptionGroup var options: ClientOptions

        func validate() throws {
            if let secondsToLive, secondsToLive < 1 { throw ValidationError("--seconds-to-live must be 1 or more") }
        }

        func run() async throws {
            var body = JSONObject()
            if let secondsToLive { body["seconds_to_live"] = .int(secondsToLive) }
            if let label { body["label"] = .string(label) }
            if !sigkeys.isEmpty { body["sigkeys"] = .array(sigkeys.map { .string($0 == "none" ? "" : $0) }) }
            try await ClientExit.run {
                let client = try options.client()
                let compose = try await client.send(.PATCH, "/api/1/composes/\(id)", body: body.isEmpty ? nil : .object(body))
                return try await ComposeView.finish(compose, wait: wait, timeout: timeout, options: options)
            }
        }
    }

    /// `odcs compose delete ID`: cancels a waiting compose, or removes a done or failed one now.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a waiting compose, or remove a done or failed one now (admins).")

        @Argument(help: "The compose id.") var id: Int64
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await ClientExit.run {
                let answer = try await options.client().send(.DELETE, "/api/1/composes/\(id)")
                print(options.json ? ClientOutput.prettyJSON(answer) : answer.objectValue?["message"]?.stringValue ?? answer.serialized())
                return ClientExit.success
            }
        }
    }
}
