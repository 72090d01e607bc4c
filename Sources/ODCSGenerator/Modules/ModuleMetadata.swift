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
    /// The defaults documents of `yaml` whose `data.module` is one of `modules`, each as a YAML
    /// document (`---` … `...`). Other documents (and files that are not YAML) give nothing.
    static func documents(in yaml: String, for modules: Set<String>) -> [String] {
        guard let documents = try? ModuleMetadata.documents(yaml) else { return [] }
        var result: [String] = []
        for case let document as [String: Any] in documents where ModuleMetadata.scalar(document["document"]) == "modulemd-defaults" {
            guard let data = document["data"] as? [String: Any], let module = ModuleMetadata.scalar(data["module"]),
                modules.contains(module), let text = try? Yams.dump(object: document)
            else { continue }
            result.append(ModulesYAML.document(text))
        }
        return result
    }
}

/// The `modules.yaml` a modular repository carries in its repodata (`modifyrepo_c --mdtype=modules`):
/// the modulemd documents of its modules followed by their defaults.
enum ModulesYAML {
    /// A YAML text as one explicit document: `---` first, `...` last.
    static func document(_ text: String) -> String {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !body.hasPrefix("---") { body = "---\n" + body }
        if !body.hasSuffix("...") { body += "\n..." }
        return body + "\n"
    }

    static func text(modulemds: [String], defaults: [String]) -> String {
        (modulemds.map(document) + defaults).joined()
    }
}
