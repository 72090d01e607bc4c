import Foundation
import Hummingbird
import NIOCore

/// A Module Build Service for tests: serves `GET /module-build-service/1/module-builds/` the
/// way MBS answers ODCS (`nsvc`, repeated `state`, `verbose`, `order_desc_by=version`,
/// `base_module_br_*`), in MBS's JSON shape (`items`, `meta.total`), from a list of module
/// builds; records every query it received.
///
///     let mbs = MBSTestServer(modules: [.init(name: "testmodule", stream: "master", version: 1, kojiTag: "module-testmodule")])
///     try await mbs.serving { url in /* url = http://127.0.0.1:<port>/module-build-service */ }
public actor MBSTestServer {
    /// One module build: its identity, state (5 ready, 3 done), Koji tag, runtime requirements,
    /// RPM artifacts and the base module it was built against.
    public struct Module: Sendable {
        public var name: String
        public var stream: String
        public var version: Int64
        public var context: String
        public var state: Int
        public var kojiTag: String?
        /// name → streams, the modulemd's runtime `requires`.
        public var requires: [String: [String]]
        /// NEVRAs (`name-epoch:version-release.arch`).
        public var artifacts: [String]
        public var baseModuleStream: String
        public var baseModuleStreamVersion: Int64
        /// The arches MBS writes a final modulemd for (`modulemd.<arch>.txt` in Koji).
        public var arches: [String]
        /// arch → the other arches whose artifacts that arch's modulemd lists too (multilib: x86_64 → i686).
        public var multilibArches: [String: [String]]

        public init(
            name: String, stream: String, version: Int64, context: String = "00000000", state: Int = 5, kojiTag: String? = nil,
            requires: [String: [String]] = [:], artifacts: [String] = [], baseModuleStream: String? = nil, arches: [String] = ["x86_64"],
            multilibArches: [String: [String]] = [:]
        ) {
            self.arches = arches
            self.multilibArches = multilibArches
            self.name = name
            self.stream = stream
            self.version = version
            self.context = context
            self.state = state
            self.kojiTag = kojiTag
            self.requires = requires
            self.artifacts = artifacts
            self.baseModuleStream = baseModuleStream ?? stream
            self.baseModuleStreamVersion = Self.streamVersion(of: baseModuleStream ?? stream)
        }

        public var nsvc: String { "\(name):\(stream):\(version):\(context)" }

        /// MBS's stream version: `el8.3.0` → 80300, `f26` → 26 (major, then each minor part in two digits).
        public static func streamVersion(of stream: String) -> Int64 {
            let digits = stream.drop { !$0.isNumber }
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            guard let major = parts.first.map({ String($0.prefix { $0.isNumber }) }), !major.isEmpty else { return 0 }
            let minors = parts.dropFirst().prefix { !$0.isEmpty && $0.allSatisfy(\.isNumber) }.map { part in
                String(repeating: "0", count: max(0, 2 - part.count)) + part
            }
            return Int64(major + minors.joined()) ?? 0
        }

        /// The module's modulemd, version 2, as libmodulemd would write it.
        public var modulemd: String {
            func quoted(_ text: String) -> String {
                "\"\(text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
            }
            var lines = [
                "---", "document: modulemd", "version: 2", "data:", "  name: \(quoted(name))", "  stream: \(quoted(stream))",
                "  version: \(version)", "  context: \(quoted(context))", "  summary: \(quoted("Test module \(name)"))",
                "  description: \(quoted("Test module \(name) for ODCS"))", "  license:", "    module:", "    - MIT",
            ]
            lines += ["  dependencies:", "  - buildrequires:", "      platform: [\(quoted(baseModuleStream))]", "    requires:"]
            lines.append("      platform: [\(quoted(baseModuleStream))]")
            for name in requires.keys.sorted() {
                lines.append("      \(quoted(name)): [\(requires[name]!.map(quoted).joined(separator: ", "))]")
            }
            if !artifacts.isEmpty {
                // The profile "default" installs every binary package of the module.
                let binaries = Set(artifacts.filter { !$0.hasSuffix(".src") }.map(Self.name(ofNEVRA:))).sorted()
                lines += ["  profiles:", "    default:", "      rpms:"] + binaries.map { "      - \(quoted($0))" }
                lines += ["  artifacts:", "    rpms:"] + artifacts.map { "    - \(quoted($0))" }
            }
            return (lines + ["..."]).joined(separator: "\n") + "\n"
        }

        /// The final modulemd of one arch, as MBS writes it with libmodulemd (and Koji keeps it as
        /// `modulemd.<arch>.txt`): `arch` set, the artifacts of that arch (its multilib arches
        /// too), noarch and source, sorted.
        public func modulemd(arch: String) -> String {
            let listed = Set([arch, "noarch", "src"] + (multilibArches[arch] ?? []))
            let own = arch == "src" ? artifacts : artifacts.filter { listed.contains(String($0.split(separator: ".").last ?? "")) }
            var lines = [
                "---", "document: modulemd", "version: 2", "data:", "  name: \(name)", "  stream: \"\(stream)\"", "  version: \(version)",
                "  context: \(context)", "  arch: \(arch)", "  summary: Test module \(name)", "  description: >-",
                "    Test module \(name) for ODCS", "  license:", "    module:", "    - MIT",
            ]
            lines += ["  dependencies:", "  - buildrequires:", "      platform: [\(baseModuleStream)]", "    requires:"]
            lines.append("      platform: [\(baseModuleStream)]")
            for name in requires.keys.sorted() { lines.append("      \(name): [\(requires[name]!.sorted().joined(separator: ", "))]") }
            if !artifacts.isEmpty {
                let binaries = Set(artifacts.filter { !$0.hasSuffix(".src") }.map(Self.name(ofNEVRA:))).sorted()
                lines += ["  profiles:", "    default:", "      rpms:"] + binaries.map { "      - \($0)" }
            }
            if !own.isEmpty { lines += ["  artifacts:", "    rpms:"] + own.sorted().map { "    - \($0)" } }
            return (lines + ["..."]).joined(separator: "\n") + "\n"
        }

        /// `name-epoch:version-release.arch` → `name`.
        static func name(ofNEVRA nevra: String) -> String {
            let parts = nevra.split(separator: "-")
            return parts.count > 2 ? parts.dropLast(2).joined(separator: "-") : nevra
        }

        func json(id: Int) -> [String: Any] {
            let base: [String: Any] = [
                "name": "platform", "stream": baseModuleStream, "stream_version": Int(baseModuleStreamVersion), "version": "1",
            ]
            return [
                "id": id, "name": name, "stream": stream, "version": String(version), "context": context,
                "state": state, "state_name": state == 5 ? "ready" : "done", "koji_tag": kojiTag.map { $0 as Any } ?? NSNull(),
                "modulemd": modulemd, "scratch": false, "base_module_buildrequires": [base],
            ]
        }
    }

    public var modules: [Module]
    /// Every query received, as (name, value) pairs in order.
    public private(set) var queries: [[(String, String)]] = []

    public init(modules: [Module]) {
        self.modules = modules
    }

    /// The JSON body answering `query`.
    func answer(_ query: [(String, String)]) throws -> Data {
        queries.append(query)
        let values = Dictionary(grouping: query, by: \.0).mapValues { $0.map(\.1) }
        let states = Set((values["state"] ?? []).compactMap { Int($0) })
        let nsvc = values["nsvc"]?.first.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        let lte = values["base_module_br_stream_version_lte"]?.first.flatMap(Double.init)
        let gte = values["base_module_br_stream_version_gte"]?.first.flatMap(Double.init)
        let brName = values["base_module_br_name"]?.first
        let brStream = values["base_module_br_stream"]?.first
        let matching = modules.filter { module in
            let identity = [module.name, module.stream, String(module.version), module.context]
            for (index, part) in nsvc.enumerated() where index < 4 && identity[index] != part { return false }
            if !states.isEmpty && !states.contains(module.state) { return false }
            if let lte, Double(module.baseModuleStreamVersion) > lte { return false }
            if let gte, Double(module.baseModuleStreamVersion) < gte { return false }
            if let brName, brName != "platform" { return false }
            if let brStream, brStream != module.baseModuleStream { return false }
            return true
        }
        var items = matching
        if values["order_desc_by"]?.first == "version" {
            items = matching.enumerated().sorted { ($0.element.version, -$0.offset) > ($1.element.version, -$1.offset) }.map(\.element)
        }
        let meta: [String: Any] = [
            "total": items.count, "page": 1, "pages": 1, "per_page": 10, "first": "", "last": "", "next": NSNull(), "prev": NSNull(),
        ]
        let answered = items.map { item in item.json(id: 1 + (modules.firstIndex { $0.nsvc == item.nsvc } ?? 0)) }
        return try JSONSerialization.data(withJSONObject: ["items": answered, "meta": meta], options: [.sortedKeys])
    }

    /// `final-modulemd/<id>`: the build's final modulemd by arch (the id is its place in `modules`, from 1).
    func finalModulemd(_ id: Int) -> Data? {
        guard id >= 1, id <= modules.count else { return nil }
        let module = modules[id - 1]
        let documents = Dictionary(uniqueKeysWithValues: module.arches.map { ($0, module.modulemd(arch: $0)) })
        return try? JSONSerialization.data(withJSONObject: documents, options: [.sortedKeys])
    }

    /// Serves until `body` returns; `body` gets the MBS URL (`http://127.0.0.1:<port>/module-build-service`).
    public func serving<R: Sendable>(_ body: @Sendable (String) async throws -> R) async throws -> R {
        let router = Router()
        router.get("module-build-service/1/module-builds/") { request, _ -> Response in
            let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            let data = try await self.answer(query)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("module-build-service/1/final-modulemd/:id") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int.self), let data = await self.finalModulemd(id) else {
                return Response(status: .notFound)
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return try await StaticFileServer.serving(router, label: "mbs-test-server") { port in
            try await body("http://127.0.0.1:\(port)/module-build-service")
        }
    }
}
