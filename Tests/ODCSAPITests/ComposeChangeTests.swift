import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSCore
@_spi(Testing) import ODCSStore
import ODCSTesting
import Testing

@Suite struct ComposeChangeTests {
    func create(_ client: some TestClientProtocol, _ body: String = #"{"source":{"type":"tag","source":"f26"}}"#) async throws -> Int64 {
        Int64(try #require(try await client.request(.post, "/api/1/composes/", body: body).json["id"]?.int))
    }

    @Test func renewOfWaitingComposeIsNotFound() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let id = try await create(client)
                let response = try await client.request(.patch, "/api/1/composes/\(id)", body: #"{"seconds_to_live": 60}"#)
                #expect(response.status == .notFound)
                #expect(try response.json["message"] == .string("No compose with id \(id) found"))
            }
        }
    }

    /// Upstream checks the body's values before it looks for the compose.
    @Test(arguments: [
        (#"{"seconds_to_live": "x"}"#, "seconds_to_live should be an integer"),
        (#"{"label": null}"#, "label should be a string"),
        (#"{"source": {"builds": "x"}}"#, "builds should be a list"),
        (#"{"label": "a;b"}"#, InputValidator.forbiddenCharactersMessage),
        (
            #"{"sigkeys": [null]}"#,
            "Only dict, list, str, unicode, int, float and bool types are allowed in ODCS input variables, but '0' has '<class 'NoneType'>' type"
        ),
    ])
    func renewWithABadBodyIsABadRequestEvenForAMissingCompose(_ body: String, _ message: String) async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let response = try await client.request(.patch, "/api/1/composes/999999", body: body)
                #expect(response.status == .badRequest)
                #expect(try response.json["message"] == .string(message))
                // A good body still finds no compose.
                #expect(try await client.request(.patch, "/api/1/composes/999999", body: #"{"seconds_to_live": 60}"#).status == .notFound)
            }
        }
    }

    @Test func renewOfFailedOrRemovedComposeMakesACopy() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                for state in [ComposeState.failed, .removed] {
                    let id = try await create(client, #"{"source":{"type":"tag","source":"f26","koji_event":123},"label":"Beta-1.0"}"#)
                    try await api.store.overwriteState(id: id, state: state, reusedID: 1, pungiComposeID: "odcs-\(id)-1-20260101.t.0")
                    // No body at all, as the Python client sends a plain renew.
                    let json = try await client.request(.patch, "/api/1/composes/\(id)").json
                    #expect(json["id"]?.int != Int(id))
                    #expect(json["state_name"] == "wait" && json["source"] == "f26" && json["koji_event"] == 123)
                    #expect(json["label"] == "Beta-1.0" && json["time_removed"] == .null)
                    #expect(json["respin_of"] == .string("odcs-\(id)-1-20260101.t.0"))
                    #expect(json["result_repo"]?.stringValue?.contains("odcs-\(json["id"]?.int ?? 0)/") == true)
                }
            }
        }
    }

    @Test func renewOfDoneComposeWithNewLabelOrSigkeysMakesACopy() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let id = try await create(client)
                try await api.store.overwriteState(id: id, state: .done)
                let relabelled = try await client.request(.patch, "/api/1/composes/\(id)", body: #"{"label":"RC-1.1"}"#).json
                #expect(relabelled["id"]?.int != Int(id) && relabelled["label"] == "RC-1.1")
                let resigned = try await client.request(.patch, "/api/1/composes/\(id)", body: #"{"sigkeys":["0abcdef0"]}"#).json
                #expect(resigned["id"]?.int != Int(id) && resigned["sigkeys"] == "0abcdef0")
                let respin = try await client.request(
                    .patch, "/api/1/composes/\(id)", body: #"{"source":{"builds":["foo-1-1"],"modules":["a:b:1:c"],"unknown":1}}"#
                ).json
                #expect(respin["builds"] == "foo-1-1" && respin["modules"] == "a:b:1:c")
            }
        }
    }

    @Test func renewOfDoneComposeExtendsItAndItsReuseFamily() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let reused = try await create(client)
                let compose = try await create(client)
                let reusing = try await create(client)
                try await api.store.overwriteState(id: reused, state: .done, expiresInSeconds: 60)
                try await api.store.overwriteState(id: compose, state: .done, reusedID: reused, expiresInSeconds: 60)
                try await api.store.overwriteState(id: reusing, state: .done, reusedID: compose, expiresInSeconds: 60)
                let json = try await client.request(.patch, "/api/1/composes/\(compose)", body: #"{"seconds-to-live": "10800"}"#).json
                #expect(json["id"]?.int == Int(compose) && json["state_name"] == "done")
                for id in [reused, compose, reusing] {
                    let stored = try #require(try await api.store.compose(id: id))
                    let remaining = stored.timeToExpire.timeIntervalSinceNow
                    #expect(remaining > 10_700 && remaining <= 10_801, "compose \(id): \(remaining)")
                }
                // Extension never shortens.
                let shorter = try await client.request(.patch, "/api/1/composes/\(compose)", body: #"{"seconds_to_live": 60}"#).json
                #expect(shorter["time_to_expire"] == json["time_to_expire"])
            }
        }
    }

    @Test func deleteCancelsWaitingCompose() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let id = try await create(client)
                let response = try await client.request(.delete, "/api/1/composes/\(id)")
                #expect(response.status == .accepted)
                #expect(try response.json == ["message": .string("Compose (id=\(id)) has been canceled"), "status": 202])
                let json = try await client.request(.get, "/api/1/composes/\(id)").json
                #expect(json["state_name"] == "failed" && json["state_reason"] == "Canceled by anonymous")
                #expect(json["time_done"] == .null)
            }
        }
    }

    @Test func deleteExpiresFinishedComposeNow() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                let id = try await create(client)
                try await api.store.overwriteState(id: id, state: .done, expiresInSeconds: 3600)
                let response = try await client.request(.delete, "/api/1/composes/\(id)")
                #expect(response.status == .accepted)
                #expect(
                    try response.json["message"]
                        == .string("The delete request for compose (id=\(id)) has been accepted and will be processed by backend later."))
                let stored = try #require(try await api.store.compose(id: id))
                #expect(stored.removedBy == "anonymous" && stored.state == .done)
                #expect(stored.timeToExpire.timeIntervalSinceNow < 5)
                // Repeating it is accepted again.
                #expect(try await client.request(.delete, "/api/1/composes/\(id)").status == .accepted)
            }
        }
    }

    @Test func deleteOfGeneratingOrRemovedComposeIsRefused() async throws {
        try await TestAPI.with { api in
            try await api.test { client in
                for state in [ComposeState.generating, .removed] {
                    let id = try await create(client)
                    try await api.store.overwriteState(id: id, state: state)
                    let response = try await client.request(.delete, "/api/1/composes/\(id)")
                    #expect(response.status == .badRequest)
                    #expect(
                        try response.json["message"]
                            == .string("Compose (id=\(id)) can not be removed, its state need to be in ['done', 'failed']."))
                }
                #expect(try await client.request(.delete, "/api/1/composes/424242").status == .notFound)
            }
        }
    }
}
