import ArgumentParser
import Foundation
import ODCSCore

/// How the client commands show composes to people.
enum ComposeView {
    /// The fields `get` shows, in this order (the rest is in `--json`).
    static let detailFields = [
        "id", "state_name", "state_reason", "source_type", "source", "owner", "label", "compose_type", "packages", "builds",
        "sigkeys", "arches", "flags", "results", "koji_event", "pungi_compose_id", "time_submitted", "time_started",
        "time_done", "time_to_expire", "time_removed", "removed_by", "result_repofile", "toplevel_url",
    ]

    static func details(_ compose: JSONValue) -> String {
        let object = compose.objectValue ?? JSONObject()
        var pairs: [(String, String)] = []
        for name in detailFields {
            guard let value = object[name], value != .null, value != .string(""), value != .array([]) else { continue }
            switch name {
            case "state_name": pairs.append(("state", ClientOutput.cell(value)))
            case "source_type": pairs.append(("source_type", sourceTypeName(value)))
            case "time_to_expire":
                pairs.append(("time_to_expire", "\(ClientOutput.cell(value)) (\(ClientOutput.relative(ClientOutput.cell(value))))"))
            default: pairs.append((name, ClientOutput.cell(value)))
            }
        }
        return ClientOutput.fields(pairs)
    }

    static func listing(_ page: JSONValue) -> String {
        let items = page.objectValue?["items"]?.arrayValue ?? []
        let rows = items.map { item -> [String] in
            let compose = item.objectValue ?? JSONObject()
            let expires = compose["time_to_expire"]?.stringValue.map { ClientOutput.relative($0) } ?? "-"
            return [
                ClientOutput.cell(compose["id"]), ClientOutput.cell(compose["state_name"]), sourceTypeName(compose["source_type"]),
                shorten(ClientOutput.cell(compose["source"]), 48), ClientOutput.cell(compose["owner"]), expires,
                ClientOutput.cell(compose["label"]),
            ]
        }
        var text = ClientOutput.table(header: ["ID", "STATE", "TYPE", "SOURCE", "OWNER", "EXPIRES", "LABEL"], rows: rows)
        if let meta = page.objectValue?["meta"]?.objectValue {
            text +=
                "\npage \(ClientOutput.cell(meta["page"])) of \(ClientOutput.cell(meta["pages"])), \(ClientOutput.cell(meta["total"])) composes"
        }
        return text
    }

    static func sourceTypeName(_ value: JSONValue?) -> String {
        guard case .int(let number)? = value, let type = SourceType(rawValue: number) else { return ClientOutput.cell(value) }
        return type.name
    }

    static func shorten(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// A state or source type given by name or number, as the number the API filters on.
    static func number(_ text: String, names: [(String, Int)], _ what: String) throws -> String {
        if let number = Int(text), names.contains(where: { $0.1 == number }) { return text }
        guard let match = names.first(where: { $0.0 == text }) else {
            throw ValidationError("unknown \(what) \"\(text)\" (one of \(names.map(\.0).joined(separator: ", ")))")
        }
        return String(match.1)
    }

    static let stateNames = ComposeState.allCases.map { ($0.name, $0.rawValue) }
    static let sourceTypeNames = SourceType.allCases.map { ($0.name, $0.rawValue) }

    /// After create or renew: print the compose, or wait for it first when asked.
    static func finish(_ compose: JSONValue, wait: Bool, timeout: Int?, options: ClientOptions) async throws -> Int32 {
        guard wait, case .int(let id)? = compose.objectValue?["id"] else {
            print(options.json ? ClientOutput.prettyJSON(compose) : details(compose))
            return ClientExit.success
        }
        if !options.json { print(details(compose)) }
        return try await ComposeWaiter(id: Int64(id), client: try options.client(), json: options.json, timeout: timeout).run()
    }
}
