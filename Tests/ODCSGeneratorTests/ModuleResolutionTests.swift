import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSKoji
import ODCSTesting
import Testing

/// Module resolution against the MBS test server, with upstream's module set
/// (`tests/server/mbs.py`) and the cases of upstream's `test_resolve_compose_module*`.
@Suite struct ModuleResolutionTests {
    typealias Module = MBSTestServer.Module

    /// Upstream's `TEST_MBS_MODULES_MMDv2`.
    static let modules: [Module] = [
        Module(name: "moduleA", stream: "f26", version: 20_170_809_000_000, requires: ["moduleB": ["f26"]]),
        Module(name: "moduleA", stream: "f26", version: 20_170_805_000_000, requires: ["moduleB": ["f26"]]),
        Module(name: "moduleB", stream: "f26", version: 20_170_808_000_000, requires: ["moduleC": ["f26"], "moduleD": ["f26"]]),
        Module(name: "moduleB", stream: "f27", version: 2_017_081_000_000, requires: ["moduleC": ["f27"]]),
        Module(name: "moduleC", stream: "f26", version: 20_170_807_000_000, requires: ["moduleD": ["f26"]]),
        Module(name: "moduleD", stream: "f26", version: 20_170_806_000_000),
        Module(name: "testmodule", stream: "master", version: 20_180_515_074_419, state: 3),
        Module(name: "testmodule", stream: "master", version: 20_170_515_074_418),
        Module(name: "testmodule", stream: "master", version: 20_170_515_074_419),
        Module(name: "parent", stream: "master", version: 1, context: "a"),
        Module(name: "parent", stream: "master", version: 1, context: "b"),
        Module(name: "testcontexts", stream: "master", version: 1, context: "a", requires: ["parent": ["master"]]),
        Module(name: "testcontexts", stream: "master", version: 1, context: "b", requires: ["parent": ["master"]]),
        Module(name: "leaf", stream: "master", version: 1, requires: ["lib": ["master"]], baseModuleStream: "el8.3.0.z"),
        Module(name: "lib", stream: "master", version: 1, context: "abcdef", baseModuleStream: "el8.2.0.z"),
        Module(name: "lib", stream: "master", version: 1, context: "fedcba", baseModuleStream: "el8.4.0"),
    ]

    static func compose(_ source: String, flags: ComposeFlags = []) -> Compose {
        Compose(
            id: 1, owner: "me", sourceType: .module, source: source, state: .generating, results: .repository, flags: flags,
            timeToExpire: Date(timeIntervalSinceNow: 3600), timeSubmitted: Date())
    }

    /// The resolved source, or the failure's message prefixed with "error: ".
    static func resolve(_ compose: Compose, server: MBSTestServer = MBSTestServer(modules: modules)) async throws -> String {
        try await server.serving { url in
            let koji = KojiClient(configuration: .init(url: "http://127.0.0.1:9/kojihub", timeout: .seconds(5), maxRetries: 0))
            let generator = ModuleGenerator(
                configuration: .init(mbsURL: url), koji: KojiGenerator(configuration: .init(topdir: nil, topurl: nil), koji: koji))
            do {
                return try await generator.resolve(compose, logger: Logger(label: "test")).source
            } catch let error as GeneratorError {
                return "error: \(error.message)"
            }
        }
    }

    @Test func expandsRuntimeRequirementsAndSorts() async throws {
        #expect(
            try await Self.resolve(Self.compose("moduleA:f26"))
                == "moduleA:f26:20170809000000:00000000 moduleB:f26:20170808000000:00000000 "
                + "moduleC:f26:20170807000000:00000000 moduleD:f26:20170806000000:00000000")
    }

    @Test func noDepsTakesOnlyTheRequestedModule() async throws {
        #expect(try await Self.resolve(Self.compose("moduleA:f26", flags: .noDeps)) == "moduleA:f26:20170809000000:00000000")
    }

    @Test func everyContextOfTheLatestVersionAndOfItsRequirements() async throws {
        #expect(
            try await Self.resolve(Self.compose("testcontexts:master:1", flags: .noDeps))
                == "testcontexts:master:1:a testcontexts:master:1:b")
        #expect(
            try await Self.resolve(Self.compose("testcontexts:master:1"))
                == "parent:master:1:a parent:master:1:b testcontexts:master:1:a testcontexts:master:1:b")
    }

    @Test func aRequirementBuiltAgainstANewerBaseModuleIsNotTaken() async throws {
        #expect(try await Self.resolve(Self.compose("leaf:master")) == "leaf:master:1:00000000 lib:master:1:abcdef")
    }

    @Test func doneModulesOnlyWithTheFlagOrAFullNSVC() async throws {
        #expect(try await Self.resolve(Self.compose("testmodule:master")) == "testmodule:master:20170515074419:00000000")
        #expect(
            try await Self.resolve(Self.compose("testmodule:master", flags: .includeDoneModules))
                == "testmodule:master:20180515074419:00000000")
        #expect(
            try await Self.resolve(Self.compose("testmodule:master:20180515074419:00000000"))
                == "testmodule:master:20180515074419:00000000")
    }

    @Test func aDevelModuleIsFoundThroughItsModuleAndRequiresIt() async throws {
        #expect(
            try await Self.resolve(Self.compose("moduleA-devel:f26"))
                == "moduleA-devel:f26:20170809000000:00000000 moduleA:f26:20170809000000:00000000 "
                + "moduleB:f26:20170808000000:00000000 moduleC:f26:20170807000000:00000000 moduleD:f26:20170806000000:00000000")
    }

    @Test func failuresCarryUpstreamsMessages() async throws {
        #expect(
            try await Self.resolve(Self.compose("moduleA:f30")) == "error: Failed to find module moduleA:f30 in ready state in the MBS.")
        #expect(
            try await Self.resolve(Self.compose("moduleA:f30", flags: .includeDoneModules))
                == "error: Failed to find module moduleA:f30 in ready or done state in the MBS.")
        #expect(
            try await Self.resolve(Self.compose("moduleA:f26:20170809000000 moduleA:f26:20170805000000"))
                == "error: moduleA:f26:20170805000000:00000000 conflicts with moduleA:f26:20170809000000:00000000")
        #expect(
            try await Self.resolve(Self.compose("moduleB:f26 moduleB:f27"))
                == "error: Failed to find module moduleC:f27 in ready state in the MBS.")
        // Two streams of one module do not conflict.
        #expect(
            try await Self.resolve(Self.compose("moduleB:f26 moduleB:f27", flags: .noDeps))
                == "moduleB:f26:20170808000000:00000000 moduleB:f27:2017081000000:00000000")
    }

    @Test func sendsUpstreamsQueryWithTheBaseModuleFilters() async throws {
        let server = MBSTestServer(modules: Self.modules)
        var compose = Self.compose("moduleD:f26", flags: .noDeps)
        compose.baseModuleBrName = "platform"
        compose.baseModuleBrStream = "f26"
        compose.baseModuleBrStreamVersionLte = 30
        compose.baseModuleBrStreamVersionGte = 20
        #expect(try await Self.resolve(compose, server: server) == "moduleD:f26:20170806000000:00000000")
        let queries = await server.queries.map { $0.map { "\($0.0)=\($0.1)" } }
        #expect(
            queries == [
                [
                    "nsvc=moduleD:f26", "state=5", "verbose=True", "order_desc_by=version", "base_module_br_name=platform",
                    "base_module_br_stream=f26", "base_module_br_stream_version_lte=30", "base_module_br_stream_version_gte=20",
                ]
            ])
        compose.baseModuleBrStreamVersionGte = 27
        #expect(
            try await Self.resolve(compose, server: server) == "error: Failed to find module moduleD:f26 in ready state in the MBS.")
    }

    @Test func theBaseModuleIsNeverFollowed() async throws {
        // Every test module requires platform at runtime; none asks MBS for it.
        let server = MBSTestServer(modules: Self.modules)
        _ = try await Self.resolve(Self.compose("moduleA:f26"), server: server)
        let asked = await server.queries.compactMap { $0.first { $0.0 == "nsvc" }?.1 }
        #expect(asked == ["moduleA:f26", "moduleB:f26", "moduleC:f26", "moduleD:f26"])
    }
}
