import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSCore
import ODCSTesting
import Testing

@Suite struct ComposeCreateTests {
    @Test func createsWaitingComposeWithUpstreamJSON() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let response = try await client.request(
                    .post, "/api/1/composes/", body: #"{"source":{"type":"module","source":"testmodule:master"}}"#)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                let json = try response.json
                let id = try #require(json["id"]?.int)
                let expected: [String: JSONValue] = [
                    "source_type": 2, "state": 0, "time_done": nil, "state_name": "wait", "state_reason": nil,
                    "source": "testmodule:master", "owner": "unknown",
                    "result_repo": .string("http://localhost/odcs/odcs-\(id)/compose/Temporary"),
                    "result_repofile": .string("http://localhost/odcs/odcs-\(id)/compose/Temporary/odcs-\(id).repo"),
                    "time_started": nil, "time_removed": nil, "removed_by": nil, "flags": [], "results": ["repository"],
                    "sigkeys": "", "koji_event": nil, "koji_task_id": nil, "packages": nil, "builds": nil, "arches": "x86_64",
                    "multilib_arches": "", "multilib_method": 0, "lookaside_repos": "", "modular_koji_tags": nil,
                    "module_defaults_url": nil, "label": nil, "compose_type": "test", "pungi_compose_id": nil,
                    "target_dir": "default", "scratch_modules": nil, "modules": nil,
                    "toplevel_url": .string("http://localhost/odcs/odcs-\(id)"), "parent_pungi_compose_ids": nil,
                    "scratch_build_tasks": nil, "respin_of": nil, "base_module_br_name": nil, "base_module_br_stream": nil,
                    "base_module_br_stream_version_lte": nil, "base_module_br_stream_version_gte": nil,
                ]
                let object = try #require(json.objectValue)
                #expect(Set(object.keys) == Set(expected.keys).union(["id", "time_submitted", "time_to_expire"]))
                for (key, value) in expected { #expect(object[key] == value, "\(key)") }
                // Keys come sorted, as Flask sends them.
                #expect(object.keys == object.keys.sorted())
            }
        }
    }

    @Test func expiresAfterTheRequestedTimeToLive() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let json = try await client.request(
                    .post, "/api/1/composes/", body: #"{"source":{"type":"tag","source":"f26"},"seconds_to_live":43200}"#
                ).json
                let submitted = try #require(json["time_submitted"]?.stringValue.flatMap(parseTime))
                let expires = try #require(json["time_to_expire"]?.stringValue.flatMap(parseTime))
                #expect(abs(expires.timeIntervalSince(submitted) - 43200) <= 1)
            }
        }
    }

    @Test func namesAnExtraTargetDirAndHidesItsURLs() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let json = try await client.request(
                    .post, "/api/1/composes/", body: #"{"source":{"type":"tag","source":"f26"},"target_dir":"releng-private"}"#
                ).json
                #expect(json["target_dir"] == "releng-private")
                #expect(json["result_repo"] == "" && json["toplevel_url"] == "")
                let stored = try await api.store.compose(id: Int64(try #require(json["id"]?.int)))
                #expect(stored?.targetDir == "/srv/private")
            }
        }
    }

    @Test func rawConfigHasNoRepoURLs() async throws {
        let configuration = TestAPI.configuration(
            policy: RequestPolicy(defaultTargetDir: "/srv/odcs", rawConfigs: ["pungi_cfg": .init()]),
            rawConfigURLs: ["pungi_cfg": ["url": "git://x", "config_filename": "pungi.conf"]])
        try await TestAPI.with(configuration: configuration) { api in
            try await api.test { client in
                let json = try await client.request(
                    .post, "/api/1/composes/",
                    body: #"{"source":{"type":"raw_config","source":"pungi_cfg#hash"},"label":"Alpha-0.1","compose_type":"nightly"}"#
                ).json
                #expect(json["result_repofile"] == "" && json["result_repo"] == "")
                #expect(json["toplevel_url"]?.stringValue?.hasPrefix("http://localhost/odcs/odcs-") == true)
                #expect(json["label"] == "Alpha-0.1" && json["compose_type"] == "nightly")
            }
        }
    }

    static let badRequests: [(body: String, status: Int, message: String)] = [
        ("{", 400, "Failed to decode JSON object"),
        ("", 400, "Failed to decode JSON object"),
        ("this is not json", 400, "Failed to decode JSON object"),
        ("[]", 400, "No JSON POST data submitted"),
        ("{}", 400, "No JSON POST data submitted"),
        (#"{"source":{"type":"repo","source":"a;b"}}"#, 400, "Only alphanumerical characters"),
        (#"{"source":{"type":"repo","source":"/srv/x"},"label":"a/b"}"#, 400, "label: \"a/b\" is not a label"),
        (#"{"source":{"type":"repo","source":"x"},"target_dir":"../../etc"}"#, 400, #"Unknown "target_dir" "../../etc""#),
        (#"{"source":{"type":"repo","source":"x"},"seconds_to_live":-1}"#, 400, "seconds_to_live must be a positive"),
        (#"{"source":{"type":"repo","source":"x"},"seconds_to_live":"abc"}"#, 400, "seconds_to_live should be an integer"),
    ]

    @Test(arguments: badRequests)
    func refusesBadInputAndChangesNothing(_ bad: (body: String, status: Int, message: String)) async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let response = try await client.request(.post, "/api/1/composes/", body: bad.body)
                #expect(response.status.code == bad.status)
                let json = try response.json
                #expect(json["status"]?.int == bad.status)
                #expect(json["error"] == "Bad Request")
                #expect(json["message"]?.stringValue?.contains(bad.message) == true, "\(String(describing: json["message"]))")
                #expect(try await api.composeCount() == 0)
            }
        }
    }

    @Test func refusesHugeBodies() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let packages = Array(repeating: "\"package-name-padding\"", count: 60_000).joined(separator: ",")
                let body = #"{"source":{"type":"tag","source":"f26","packages":["# + packages + "]}}"
                let response = try await client.request(.post, "/api/1/composes/", body: body)
                #expect(response.status == .contentTooLarge)
                #expect(try response.json["status"]?.int == 413)
                #expect(try await api.composeCount() == 0)
            }
        }
    }
}

func parseTime(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    return formatter.date(from: text)
}
