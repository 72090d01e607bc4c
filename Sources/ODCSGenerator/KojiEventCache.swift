import Foundation

/// Upstream's `LAST_EVENTS_CACHE`: the Koji event a tag compose last resolved to, per tag, so
/// that composes of an unchanged tag resolve to the same event and can reuse each other.
/// Upstream keeps it in each process; ODCS keeps it in PostgreSQL for the whole cluster.
public protocol KojiEventCache: Sendable {
    func lastEvent(tag: String) async throws -> Int64?
    func record(tag: String, event: Int64) async throws
}

/// Sigkeys in order of preference, as Pungi takes them: a key means the copy signed with it
/// (`data/signed/<key>/`), nil means the unsigned file. An empty compose `sigkeys` allows only
/// unsigned files (`[None]`); an empty element in a list (`"key1 "`) allows unsigned at its place.
struct SigkeyPreference: Sendable, Equatable {
    var order: [String?]

    init(_ sigkeys: String?) {
        let text = sigkeys ?? ""
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            order = [nil]
        } else {
            order = text.split(separator: " ", omittingEmptySubsequences: false).map { $0.isEmpty ? nil : $0.lowercased() }
        }
    }

    var allowsUnsigned: Bool { order.contains(nil) }

    /// Python's `repr` of the keys tuple, as Pungi's message prints it: `('8ae0c473',)`.
    var pythonTuple: String {
        let items = order.map { $0.map { "'\($0)'" } ?? "None" }
        return items.count == 1 ? "(\(items[0]),)" : "(\(items.joined(separator: ", ")))"
    }
}
