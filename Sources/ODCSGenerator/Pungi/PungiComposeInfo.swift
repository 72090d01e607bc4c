import Foundation
import ODCSCore
import SystemPackage

/// The ComposeInfo ODCS writes into a compose directory before it starts Pungi (upstream's
/// `_prepare_compose_dir` with productmd's `write_compose_info`, reference §9.2): `COMPOSE_ID`
/// and `work/global/composeinfo-base.json`, from the release fields of `pungi.json`, the
/// compose's label and type, the local date and the first respin whose id is not taken.
struct PungiComposeInfo: Sendable, Equatable {
    struct Product: Sendable, Equatable {
        var name: String
        var short: String
        var version: String
        var type: String

        /// productmd's `type_suffix` of a release or base product (nothing for ga).
        var typeSuffix: String { type.isEmpty || type == "ga" ? "" : "-\(type)" }

        var json: JSONValue {
            ["name": .string(name), "short": .string(short), "type": .string(type), "version": .string(version)]
        }
    }

    var release: Product
    var isInternal: Bool
    var baseProduct: Product?
    var label: String?
    var composeType: String
    var date: String
    var respin: Int

    /// Reads the release from a parsed `pungi.json`; fails as productmd would for a missing
    /// field or an unknown compose type.
    init(config: JSONObject, label: String?, composeType: String?, date: String) throws {
        func field(_ key: String) throws -> String {
            switch config[key] {
            case .string(let text): return text
            case .int(let number): return String(number)
            case .double(let number): return String(number)
            default: throw GeneratorError("The Pungi configuration has no \(key).")
            }
        }
        release = Product(
            name: try field("release_name"), short: try field("release_short"), version: try field("release_version"),
            type: (config["release_type"]?.stringValue ?? "ga").lowercased())
        isInternal = config["release_internal"]?.isTruthy ?? false
        if let base = config["base_product_name"]?.stringValue, !base.isEmpty {
            baseProduct = Product(
                name: base, short: try field("base_product_short"), version: try field("base_product_version"),
                type: (config["base_product_type"]?.stringValue ?? "ga").lowercased())
        }
        self.label = label.flatMap { $0.isEmpty ? nil : $0 }
        self.composeType = composeType.flatMap { $0.isEmpty ? nil : $0 } ?? "test"
        self.date = date
        respin = 0
        _ = try typeSuffix
    }

    /// productmd's compose `type_suffix`.
    var typeSuffix: String {
        get throws {
            switch composeType {
            case "production": return ""
            case "ci": return ".ci"
            case "nightly": return ".n"
            case "test": return ".t"
            case "development": return ".d"
            default: throw GeneratorError("Invalid compose type: \(composeType)")
            }
        }
    }

    /// `create_compose_id`: `<short>-<version>[-<type>][-<base short>-<base version>[-<type>]]-<date><suffix>.<respin>`.
    var id: String {
        var id = "\(release.short)-\(release.version)\(release.typeSuffix)"
        if let base = baseProduct { id += "-\(base.short)-\(base.version)\(base.typeSuffix)" }
        return id + "-\(date)\((try? typeSuffix) ?? ".t").\(respin)"
    }

    /// The local `YYYYMMDD` upstream dates a compose with.
    static func date(_ now: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return String(format: "%04d%02d%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// `composeinfo-base.json` as productmd dumps it (indent 4, sorted keys, no final newline).
    var json: String {
        var compose = JSONObject([
            (key: "date", value: .string(date)), (key: "id", value: .string(id)), (key: "respin", value: .int(respin)),
            (key: "type", value: .string(composeType)),
        ])
        if let label {
            compose["label"] = .string(label)
            compose["final"] = false
        }
        var releaseJSON = release.json.objectValue ?? JSONObject()
        if baseProduct != nil { releaseJSON["is_layered"] = true }
        releaseJSON["internal"] = .bool(isInternal)
        var payload = JSONObject([
            (key: "compose", value: .object(compose)), (key: "release", value: .object(releaseJSON)),
            (key: "variants", value: .object(JSONObject())),
        ])
        if let baseProduct { payload["base_product"] = baseProduct.json }
        let document: JSONValue = [
            "header": ["type": "productmd.composeinfo", "version": "1.2"], "payload": .object(payload),
        ]
        return PythonJSON.dumpsIndented(document)
    }

    /// `COMPOSE_ID` and `work/global/composeinfo-base.json` under `directory`.
    func write(to directory: FilePath) throws {
        let work = directory.appending("work/global")
        try FileManager.default.createDirectory(atPath: work.string, withIntermediateDirectories: true)
        try id.write(toFile: directory.appending("COMPOSE_ID").string, atomically: true, encoding: .utf8)
        try json.write(toFile: work.appending("composeinfo-base.json").string, atomically: true, encoding: .utf8)
    }
}
