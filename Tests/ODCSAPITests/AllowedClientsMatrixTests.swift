import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSCore
import ODCSTesting
import Testing

/// Every `allowed_clients` attribute, limited once in a user entry and once in a group entry:
/// a request inside the limit creates a compose, one outside it is refused with upstream's
/// message and changes nothing. The requests carry real tokens.
@Suite struct AllowedClientsMatrixTests {
    struct Case: Sendable, CustomStringConvertible {
        var attribute: String
        var limit: JSONValue
        var allowed: String
        var refused: String
        var refusedValue: String
        var description: String { attribute }
    }

    static func body(_ source: String = #"{"type":"tag","source":"f26"}"#, _ extra: String = "") -> String {
        #"{"source":\#(source)\#(extra.isEmpty ? "" : ",")\#(extra)}"#
    }

    static let cases: [Case] = [
        Case(
            attribute: "source_types", limit: ["tag"], allowed: body(),
            refused: body(#"{"type":"module","source":"testmodule:master"}"#), refusedValue: "module"),
        Case(attribute: "sources", limit: ["f26"], allowed: body(), refused: body(#"{"type":"tag","source":"f27"}"#), refusedValue: "f27"),
        Case(
            attribute: "results", limit: ["repository"], allowed: body(),
            refused: body(#"{"type":"tag","source":"f26"}"#, #""results":["iso"]"#), refusedValue: "iso"),
        Case(
            attribute: "flags", limit: ["no_deps"], allowed: body(#"{"type":"tag","source":"f26"}"#, #""flags":["no_deps"]"#),
            refused: body(#"{"type":"tag","source":"f26"}"#, #""flags":["check_deps"]"#), refusedValue: "check_deps"),
        Case(
            attribute: "arches", limit: ["x86_64", "aarch64"], allowed: body(#"{"type":"tag","source":"f26"}"#, #""arches":["aarch64"]"#),
            refused: body(#"{"type":"tag","source":"f26"}"#, #""arches":["x86_64","ppc64le"]"#), refusedValue: "ppc64le"),
        Case(
            attribute: "compose_types", limit: ["test"], allowed: body(),
            refused: body(#"{"type":"tag","source":"f26"}"#, #""compose_type":"nightly""#), refusedValue: "nightly"),
        Case(
            attribute: "target_dirs", limit: ["releng-private"],
            allowed: body(#"{"type":"tag","source":"f26"}"#, #""target_dir":"releng-private""#),
            refused: body(#"{"type":"tag","source":"f26"}"#, #""target_dir":"scratch""#), refusedValue: "scratch"),
        Case(
            attribute: "raw_config_keys", limit: ["cfg_a"], allowed: body(#"{"type":"raw_config","source":"cfg_a#abc"}"#),
            refused: body(#"{"type":"raw_config","source":"cfg_b#abc"}"#), refusedValue: "cfg_b"),
        Case(
            attribute: "sigkeys", limit: ["fd431d51"], allowed: body(#"{"type":"tag","source":"f26","sigkeys":["fd431d51"]}"#),
            refused: body(#"{"type":"tag","source":"f26","sigkeys":["fd431d51","deadbeef"]}"#), refusedValue: "deadbeef"),
    ]

    /// The entry for a case: its limit, plus raw_config among the source types where the
    /// case needs raw_config composes.
    static func entry(_ testCase: Case) -> JSONValue {
        var entry = JSONObject([(key: testCase.attribute, value: testCase.limit)])
        if testCase.attribute == "raw_config_keys" { entry["source_types"] = ["raw_config"] }
        return .object(entry)
    }

    @Test(arguments: cases) func userEntryLimitsEachAttribute(_ testCase: Case) async throws {
        try await check(testCase, allowedClients: ["users": ["ulrich": Self.entry(testCase)]], user: "ulrich", groups: [])
    }

    @Test(arguments: cases) func groupEntryLimitsEachAttribute(_ testCase: Case) async throws {
        try await check(
            testCase, allowedClients: ["groups": ["packagers": Self.entry(testCase)]], user: "gina", groups: ["packagers", "qa"])
    }

    func check(_ testCase: Case, allowedClients: JSONValue, user: String, groups: [String]) async throws {
        try await OIDCRig.with(admins: ["users": [], "groups": []], allowedClients: allowedClients) { rig in
            try await rig.test { client in
                let token = try await rig.token(user, groups: groups)
                let created = try await client.request(.post, "/api/1/composes/", body: testCase.allowed, bearer: token)
                #expect(created.status == .ok, "\(testCase.attribute): \(created.message ?? "")")
                #expect(try created.json["owner"] == .string(user))

                let before = try await rig.api.digest()
                let refused = try await client.request(.post, "/api/1/composes/", body: testCase.refused, bearer: token)
                #expect(refused.status == .forbidden)
                #expect(
                    refused.message
                        == "User \(user) not allowed to operate with compose with \(testCase.attribute)=\(testCase.refusedValue).")
                #expect(try await rig.api.digest() == before)

                // Someone the entry is not for is not in the role at all.
                let stranger = try await client.request(
                    .post, "/api/1/composes/", body: testCase.allowed, bearer: try await rig.token("mallory"))
                #expect(stranger.status == .forbidden && stranger.message == "User mallory is not in role allowed_clients.")
                #expect(try await rig.api.digest() == before)
            }
        }
    }
}
