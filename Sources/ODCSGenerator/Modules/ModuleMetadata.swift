import Foundation
import Yams

/// What ODCS reads from a module's modulemd document (version 1 or 2): its identity, the
/// modules it requires at runtime (`name → streams`) and its RPM artifacts. Upstream reads the
/// same through libmodulemd after upgrading a version 1 document to version 2.
///
///     let metadata = try ModuleMetadata(yaml: build.modulemd)
///     metadata.runtimeRequires   // [["platform": ["f26"], "moduleB": ["f26"]]]
struct ModuleMetadata: Sendable, Equatable {
    var name: String?
    var stream: String?
    /// One entry per `dependencies` item (version 2), or the single `requires` map (version 1).
    var runtimeRequires: [[String: [String]]]
    /// `data.artifacts.rpms`: NEVRAs (`name-epoch:version-release.arch`).
    var artifacts: [String]

    init(name: String? = nil, stream: String? = nil, runtimeRequires: [[String: [String]]] = [], artifacts: [String] = []) {
        self.name = name
        self.stream = stream
        self.runtimeRequires = runtimeRequires
        self.artifacts = artifacts
    }

    /// The first `modulemd` document of `yaml`.
    init(yaml: String) throws {
        let documents: [Any]
        do {
            documents = try Self.documents(yaml)
        } catch {
            throw GeneratorError("Invalid modulemd: \(error)")
        }
        guard
            let document = documents.compactMap({ $0 as? [String: Any] }).first(where: {
                Self.scalar($0["document"]) == "modulemd"
            }),
            let data = document["data"] as? [String: Any]
        else { throw GeneratorError("Invalid modulemd: no modulemd document") }
        self.init(name: Self.scalar(data["name"]), stream: Self.scalar(data["stream"]))
        if Self.scalar(document["version"]) == "1" {
            let requires = data["requires"] as? [String: Any] ?? [:]
            runtimeRequires = [requires.compactMapValues { Self.scalar($0).map { [$0] } }]
        } else {
            for dependency in data["dependencies"] as? [Any] ?? [] {
                let requires = (dependency as? [String: Any])?["requires"] as? [String: Any] ?? [:]
                runtimeRequires.append(requires.compactMapValues { ($0 as? [Any])?.compactMap(Self.scalar) })
            }
        }
        let rpms = (data["artifacts"] as? [String: Any])?["rpms"] as? [Any] ?? []
        artifacts = rpms.compactMap(Self.scalar)
    }

    /// Every document of a YAML stream; a syntax error anywhere throws.
    static func documents(_ yaml: String) throws -> [Any] {
        var sequence = try Yams.load_all(yaml: yaml)
        var documents: [Any] = []
        while let document = sequence.next() { documents.append(document) }
        if let error = sequence.error { throw error }
        return documents
    }

    /// A YAML scalar as text: streams and versions are often plain numbers.
    static func scalar(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as Int: String(number)
        case let number as Double: number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case let flag as Bool: flag ? "true" : "false"
        default: nil
        }
    }
}

/// The `modulemd-defaults` documents of a module defaults repository (upstream's
/// `module_defaults_url` at `module_defaults_commit`), for the modules a compose holds.
enum ModuleDefaults {
    /// The defaults documents of `yaml` whose `data.module` is one of `modules`, each with its
    /// module's name, written as libmodulemd writes them (`document`). Other documents (and
    /// files that are not YAML) give nothing.
    static func documents(in yaml: String, for modules: Set<String>) -> [(module: String, text: String)] {
        guard let documents = try? ModuleMetadata.documents(yaml) else { return [] }
        var result: [(String, String)] = []
        for case let document as [String: Any] in documents where ModuleMetadata.scalar(document["document"]) == "modulemd-defaults" {
            guard let data = document["data"] as? [String: Any], let module = ModuleMetadata.scalar(data["module"]),
                modules.contains(module), let text = Self.document(document)
            else { continue }
            result.append((module, text))
        }
        return result
    }

    /// A `modulemd-defaults` version 1 document in libmodulemd's layout (`module`, `modified`,
    /// `stream` always quoted, `profiles` by stream with sorted flow lists), so that
    /// `modules.yaml` is what Pungi writes through libmodulemd. A document with other fields
    /// (`intents`) is written as Yams writes it.
    static func document(_ document: [String: Any]) -> String? {
        guard let data = document["data"] as? [String: Any], let module = ModuleMetadata.scalar(data["module"]) else { return nil }
        let known: Set<String> = ["module", "modified", "stream", "profiles"]
        guard ModuleMetadata.scalar(document["version"]) == "1", data.keys.allSatisfy(known.contains) else {
            return (try? Yams.dump(object: document)).map(ModulesYAML.document)
        }
        var lines = ["---", "document: modulemd-defaults", "version: 1", "data:", "  module: \(ModulesYAML.scalar(module))"]
        if let modified = ModuleMetadata.scalar(data["modified"]) { lines.append("  modified: \(ModulesYAML.scalar(modified))") }
        if let stream = ModuleMetadata.scalar(data["stream"]) { lines.append("  stream: \(ModulesYAML.quoted(stream))") }
        if let profiles = data["profiles"] as? [AnyHashable: Any], !profiles.isEmpty {
            lines.append("  profiles:")
            let byStream = Dictionary(
                profiles.compactMap { key, value in ModuleMetadata.scalar(key.base).map { ($0, value) } }, uniquingKeysWith: { a, _ in a })
            for stream in byStream.keys.sorted() {
                let names = ((byStream[stream] as? [Any]) ?? []).compactMap(ModuleMetadata.scalar)
                lines.append("    \(ModulesYAML.scalar(stream)): [\(Set(names).sorted().map(ModulesYAML.scalar).joined(separator: ", "))]")
            }
        }
        return (lines + ["..."]).joined(separator: "\n") + "\n"
    }
}

/// The `modules.yaml` a modular repository carries in its repodata (`modifyrepo_c --mdtype=modules`),
/// in the order libmodulemd's `ModuleIndex.dump_to_string` writes it: by module name, each
/// module's defaults first, then its streams by stream, version and context.
enum ModulesYAML {
    /// One module stream: its name, sort key and document.
    struct Stream: Sendable {
        var name: String
        var stream: String
        var version: Int64
        var context: String
        var text: String
    }

    /// A YAML text as one explicit document: `---` first, `...` last.
    static func document(_ text: String) -> String {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !body.hasPrefix("---") { body = "---\n" + body }
        if !body.hasSuffix("...") { body += "\n..." }
        return body + "\n"
    }

    static func text(streams: [Stream], defaults: [(module: String, text: String)]) -> String {
        let names = Set(streams.map(\.name)).sorted()
        var result = ""
        for name in names {
            for entry in defaults where entry.module == name { result += document(entry.text) }
            let ordered = streams.filter { $0.name == name }.sorted {
                ($0.stream, $0.version, $0.context) < ($1.stream, $1.version, $1.context)
            }
            for stream in ordered { result += document(stream.text) }
        }
        return result
    }

    /// A scalar plain when YAML allows it unquoted everywhere (also in a flow list), else quoted.
    static func scalar(_ text: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-/")
        guard let first = text.unicodeScalars.first, first != "-", text.unicodeScalars.allSatisfy(safe.contains) else {
            return quoted(text)
        }
        return text
    }

    /// A double-quoted YAML scalar.
    static func quoted(_ text: String) -> String {
        "\"\(text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
    }
}
