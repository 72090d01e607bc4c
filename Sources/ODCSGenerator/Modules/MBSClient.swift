import AsyncHTTPClient
import Foundation
import NIOCore

/// A module build as the Module Build Service lists it (`GET /1/module-builds/?verbose=True`),
/// or as Koji keeps it for a compose from `modular_koji_tags`: the fields ODCS uses.
struct ModuleBuild: Sendable, Equatable {
    struct BaseModule: Sendable, Equatable {
        var name: String
        var stream: String
        /// MBS's `stream_version` (e.g. 80200 for `el8.2.0`), as MBS sent it.
        var streamVersion: String?
    }

    /// MBS's id of the build (for `final-modulemd/<id>`).
    var id: Int64?
    var name: String
    var stream: String
    /// As MBS sends it (a string); compared as text, as upstream does.
    var version: String
    var context: String
    var modulemd: String
    var kojiTag: String?
    var baseModuleBuildrequires: [BaseModule]
    /// For a `-devel` module found through its non-devel build: that build's stream, which
    /// the devel module requires at runtime.
    var develOf: String?

    var nsvc: String { "\(name):\(stream):\(version):\(context)" }

    init(
        name: String, stream: String, version: String, context: String, modulemd: String, kojiTag: String? = nil,
        baseModuleBuildrequires: [BaseModule] = []
    ) {
        self.name = name
        self.stream = stream
        self.version = version
        self.context = context
        self.modulemd = modulemd
        self.kojiTag = kojiTag
        self.baseModuleBuildrequires = baseModuleBuildrequires
    }

    init(json: [String: Any]) throws {
        guard let name = Self.text(json["name"]), let stream = Self.text(json["stream"]), let version = Self.text(json["version"]),
            let context = Self.text(json["context"])
        else { throw GeneratorError("MBS returned a module build without name, stream, version and context.") }
        self.init(
            name: name, stream: stream, version: version, context: context, modulemd: Self.text(json["modulemd"]) ?? "",
            kojiTag: Self.text(json["koji_tag"]))
        id = Self.text(json["id"]).flatMap { Int64($0) }
        for case let base as [String: Any] in json["base_module_buildrequires"] as? [Any] ?? [] {
            baseModuleBuildrequires.append(
                BaseModule(
                    name: Self.text(base["name"]) ?? "", stream: Self.text(base["stream"]) ?? "",
                    streamVersion: Self.text(base["stream_version"])))
        }
    }

    /// JSON strings and numbers as text (`stream_version` 80200 or 80200.0 → "80200").
    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as Int: return String(number)
        case let number as NSNumber:
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
            return String(double)
        default: return nil
        }
    }
}

/// The Module Build Service's read API (`<mbs_url>/1/module-builds/`), as upstream's `MBS.get_modules`.
struct MBSClient: Sendable {
    var url: String
    var httpClient: HTTPClient
    var timeout: Duration

    /// The first page of module builds matching `query` (upstream never pages either).
    func moduleBuilds(_ query: [(String, String)]) async throws -> [ModuleBuild] {
        let data = try await get("module-builds/", query: query)
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let items = document["items"] as? [Any]
        else { throw GeneratorError("MBS answered \(base)/1/module-builds/ with something that is not a module build list.") }
        return try items.map { item in
            guard let json = item as? [String: Any] else { throw GeneratorError("MBS returned a module build that is not an object.") }
            return try ModuleBuild(json: json)
        }
    }

    /// A build's final modulemd documents by arch (`GET <mbs_url>/1/final-modulemd/<id>`, what
    /// Pungi's `MBSWrapper.final_modulemd` reads for scratch modules).
    func finalModulemd(id: Int64) async throws -> [String: String] {
        let data = try await get("final-modulemd/\(id)", query: [])
        guard let documents = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GeneratorError("MBS answered \(base)/1/final-modulemd/\(id) with something that is not an object.")
        }
        return documents.compactMapValues { $0 as? String }
    }

    var base: String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    private func get(_ path: String, query: [(String, String)]) async throws -> Data {
        var components = URLComponents(string: base + "/1/" + path)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let requestURL = components?.url?.absoluteString else { throw GeneratorError("mbs_url \(url) is not a URL.") }
        let data: Data
        do {
            let response = try await httpClient.execute(
                HTTPClientRequest(url: requestURL), timeout: .seconds(max(1, timeout.components.seconds)))
            guard response.status.code == 200 else {
                throw GeneratorError("MBS has failed to query \(base)/1/\(path) : HTTP \(response.status.code)")
            }
            data = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        } catch let error as GeneratorError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw GeneratorError("MBS has failed to query \(base)/1/\(path) : \(error)")
        }
        return data
    }
}
