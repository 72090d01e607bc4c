import Foundation
import ODCSCore
import Testing

/// The semantics of `admins`, `allowed_clients` and `raise_if_input_not_allowed` (the route
/// tests in ODCSAPITests drive the same rules through real requests).
@Suite struct AccessPolicyTests {
    let policy: AccessPolicy

    init() throws {
        policy = AccessPolicy(
            admins: try RoleMembers(parsing: ["users": ["root"], "groups": ["odcs-admins"]], key: "admins"),
            allowedClients: try AllowedClients(
                parsing: [
                    "users": [
                        "ralph": ["flags": ["no_deps"], "arches": ["x86_64"]], "multi": ["arches": ["x86_64"], "source_types": ["tag"]],
                    ],
                    "groups": [
                        "packagers": ["arches": ["x86_64", "ppc64le"]], "repo-builders": ["source_types": ["repo"], "arches": ["ppc64le"]],
                    ],
                ]), defaults: AccessPolicy.upstreamDefaults(rawConfigKeys: ["cfg"]), defaultTargetDir: "/srv/odcs",
            extraTargetDirs: ["releng-private": "/srv/private"])
    }

    func caller(_ name: String, groups: Set<String> = []) -> Caller { .authenticated(Identity(username: name, groups: groups)) }

    func refusal(_ caller: Caller, _ request: ComposeAccessRequest) -> String? {
        do {
            try policy.requireInputAllowed(caller, request)
            return nil
        } catch {
            #expect(error.kind == .forbidden)
            return error.message
        }
    }

    @Test func anonymousPassesEverything() throws {
        #expect(policy.isAdmin(.anonymous))
        try policy.requireAllowedClient(.anonymous)
        #expect(refusal(.anonymous, ComposeAccessRequest(sourceType: .pulp, source: "x", arches: "s390x")) == nil)
    }

    @Test func adminsByUserOrGroup() {
        #expect(policy.isAdmin(caller("root")))
        #expect(policy.isAdmin(caller("eve", groups: ["odcs-admins"])))
        #expect(!policy.isAdmin(caller("ralph")))
    }

    @Test func adminsNeedNoAllowedClientsEntryAndNoLimits() throws {
        // Upstream refuses an admin who is not in allowed_clients (appendix B 11); we do not.
        try policy.requireAllowedClient(caller("root"))
        #expect(refusal(caller("root"), ComposeAccessRequest(sourceType: .pulp, source: "x", arches: "s390x")) == nil)
    }

    @Test func strangersAreNotInTheRole() {
        #expect(throws: RequestError(.forbidden, "User mallory is not in role allowed_clients.")) {
            try policy.requireAllowedClient(caller("mallory", groups: ["nobody"]))
        }
        #expect(
            refusal(caller("mallory"), ComposeAccessRequest(sourceType: .tag, source: "f26", arches: "x86_64"))
                == "User mallory not allowed to operate with any compose.")
    }

    @Test func flagsLimitNeedsNoNoFlags() {
        // Upstream's `flags: ["no_deps"]` without `no_flags` refuses every compose (appendix B 10).
        #expect(refusal(caller("ralph"), ComposeAccessRequest(sourceType: .tag, source: "f26", arches: "x86_64")) == nil)
        #expect(
            refusal(caller("ralph"), ComposeAccessRequest(sourceType: .tag, source: "f26", flags: .noDeps, arches: "x86_64")) == nil)
        #expect(
            refusal(caller("ralph"), ComposeAccessRequest(sourceType: .tag, source: "f26", flags: [.noDeps, .checkDeps], arches: "x86_64"))
                == "User ralph not allowed to operate with compose with flags=check_deps.")
    }

    @Test func userEntryDoesNotHideTheGroups() {
        let request = ComposeAccessRequest(sourceType: .tag, source: "f26", arches: "x86_64 ppc64le")
        #expect(refusal(caller("ralph"), request) == "User ralph not allowed to operate with compose with arches=ppc64le.")
        // Upstream would refuse here too: ralph's own entry hides packagers (reference §8.4).
        #expect(refusal(caller("ralph", groups: ["packagers"]), request) == nil)
    }

    @Test func oneErrorPerAttributeInAttributeOrder() {
        let request = ComposeAccessRequest(sourceType: .module, source: "m:s", arches: "x86_64 ppc64le s390x")
        #expect(
            refusal(caller("multi"), request)
                == "User multi not allowed to operate with compose with source_types=module. User multi not allowed to operate with compose with arches=ppc64le."
        )
    }

    @Test func anyPassingGroupIsEnough() {
        let repo = ComposeAccessRequest(sourceType: .repo, source: "http://example.com/repo", arches: "ppc64le")
        #expect(
            refusal(caller("gina", groups: ["packagers"]), repo) == "User gina not allowed to operate with compose with source_types=repo.")
        #expect(refusal(caller("gina", groups: ["packagers", "repo-builders"]), repo) == nil)
    }

    @Test func defaultTargetDirIsAlwaysAllowedAndPatchSkipsIt() {
        let gina = caller("gina", groups: ["packagers"])
        #expect(refusal(gina, ComposeAccessRequest(sourceType: .tag, source: "f26", arches: "x86_64", targetDir: "/srv/odcs")) == nil)
        #expect(
            refusal(gina, ComposeAccessRequest(sourceType: .tag, source: "f26", arches: "x86_64", targetDir: "/srv/private"))
                == "User gina not allowed to operate with compose with target_dirs=releng-private.")
        #expect(refusal(gina, ComposeAccessRequest(sourceType: .tag, source: "f26", arches: "x86_64", targetDir: nil)) == nil)
    }

    @Test func renewChecksTheOldComposeWithItsNewSigkeys() throws {
        var old = Compose(
            id: 1, owner: "ralph", sourceType: .rawConfig, source: "cfg#abc", state: .done, results: .repository, flags: [],
            timeToExpire: Date(), timeSubmitted: Date())
        old.arches = "x86_64"
        old.composeType = nil
        let request = ComposeAccessRequest(renewing: old, sigkeys: "k1")
        #expect(request.rawConfigKey == "cfg" && request.composeType == "test" && request.targetDir == nil && request.sigkeys == "k1")
    }

    @Test func malformedSettingsNameTheKey() {
        #expect(
            throws: AccessConfigurationError(
                "allowed_clients.users.ralph.colour is unknown: the attributes are source_types, sources, results, flags, arches, compose_types, target_dirs, raw_config_keys, sigkeys"
            )
        ) {
            _ = try AllowedClients(parsing: ["users": ["ralph": ["colour": ["red"]]]])
        }
        #expect(throws: AccessConfigurationError("allowed_clients.groups.g.arches must be a list of strings")) {
            _ = try AllowedClients(parsing: ["groups": ["g": ["arches": "x86_64"]]])
        }
        #expect(throws: AccessConfigurationError("admins.users must be a list of names")) {
            _ = try RoleMembers(parsing: ["users": ["a": 1]], key: "admins")
        }
    }
}
