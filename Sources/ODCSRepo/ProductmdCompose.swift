import ODCSCore

import struct Foundation.Calendar
import struct Foundation.Date
import struct Foundation.TimeZone

/// The identity productmd gives a compose: release fields and the compose id
/// `<short>-<version>-<date><type suffix>.<respin>`, e.g. `odcs-12-1-20240101.t.0` (upstream
/// ODCS writes it before running Pungi, reference §9.2).
public struct ProductmdCompose: Sendable, Equatable {
    public var releaseName: String
    public var releaseShort: String
    public var releaseVersion: String
    /// `YYYYMMDD`.
    public var date: String
    /// One of productmd's compose types: test, ci, nightly, production, development.
    public var type: String
    public var respin: Int
    public var label: String?

    public init(
        releaseName: String, releaseShort: String, releaseVersion: String, date: String, type: String, respin: Int = 0,
        label: String? = nil
    ) {
        self.releaseName = releaseName
        self.releaseShort = releaseShort
        self.releaseVersion = releaseVersion
        self.date = date
        self.type = type
        self.respin = respin
        self.label = label
    }

    /// What ODCS writes for a compose it configures itself: release name `odcs-<id>`, short
    /// name its first 16 characters, version "1", compose type `compose_type` or "test", and
    /// the **local** date.
    public init(composeName: String, composeType: String?, label: String?, now: Date, timeZone: TimeZone = .current, respin: Int = 0) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let date = String(format: "%04d%02d%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        let type = composeType.flatMap { $0.isEmpty ? nil : $0 } ?? "test"
        self.init(
            releaseName: composeName, releaseShort: String(composeName.prefix(16)), releaseVersion: "1", date: date, type: type,
            respin: respin, label: label)
    }

    /// productmd's `type_suffix`.
    public var typeSuffix: String {
        switch type {
        case "production": ""
        case "ci": ".ci"
        case "nightly": ".n"
        case "development": ".d"
        default: ".t"
        }
    }

    public var id: String { "\(releaseShort)-\(releaseVersion)-\(date)\(typeSuffix).\(respin)" }

    /// The `compose` object both metadata files carry.
    var composeJSON: JSONValue {
        var object = JSONObject([
            (key: "date", value: .string(date)), (key: "id", value: .string(id)), (key: "respin", value: .int(respin)),
            (key: "type", value: .string(type)),
        ])
        if let label { object["label"] = .string(label) }
        return .object(object)
    }

    static func header(_ type: String) -> JSONValue {
        ["type": .string(type), "version": "1.2"]
    }
}
