import Foundation
import ODCSCore
import ODCSGenerator
import ODCSTesting
import SystemPackage
import Testing

/// What the repo source type gained with the solver: dependency closure across the listed
/// repositories, lookaside repositories that satisfy dependencies without being copied,
/// check_deps, multilib. Repository `a` has bar (Provides libbar); `b` has foo 1.1 (Requires
/// libbar) and qux.
@Suite struct RepoGeneratorDependencyTests {
    typealias Rig = RepoGeneratorRig

    @Test func aDependencyIsPulledFromAnyListedRepository() async throws {
        try await Rig.with { rig in
            let context = try rig.context(rig.compose(source: "\(rig.b) \(rig.a)", packages: "foo"))
            _ = try await rig.generator().generate(context)
            #expect(
                Rig.rpms(under: context.staging.appending("compose/Temporary/x86_64/os")) == [
                    "Packages/b/bar-2.0-1.noarch.rpm", "Packages/f/foo-1.1-1.x86_64.rpm",
                ])
        }
    }

    @Test func noDepsAndUnresolvedDependenciesLeaveTheProviderOut() async throws {
        try await Rig.with { rig in
            var compose = rig.compose(source: "\(rig.b) \(rig.a)", packages: "foo")
            compose.flags = .noDeps
            let nodeps = try rig.context(compose)
            _ = try await rig.generator().generate(nodeps)
            #expect(Rig.rpms(under: nodeps.staging.appending("compose/Temporary/x86_64/os")) == ["Packages/f/foo-1.1-1.x86_64.rpm"])

            let unresolved = try rig.context(rig.compose(id: 2, source: rig.b.string, packages: "foo"))
            _ = try await rig.generator().generate(unresolved)
            #expect(Rig.rpms(under: unresolved.staging.appending("compose/Temporary/x86_64/os")) == ["Packages/f/foo-1.1-1.x86_64.rpm"])

            var checked = rig.compose(id: 3, source: rig.b.string, packages: "foo")
            checked.flags = .checkDeps
            let context = try rig.context(checked)
            let error = await #expect(throws: GeneratorError.self) { try await rig.generator().generate(context) }
            #expect(error?.message == "Unresolvable dependencies in Temporary.x86_64: foo-1.1-1.x86_64 requires libbar")
        }
    }

    @Test func aLookasideRepositorySatisfiesDependenciesWithoutBeingCopied() async throws {
        try await Rig.with { rig in
            var compose = rig.compose(source: rig.b.string, packages: "foo")
            compose.flags = .checkDeps
            compose.lookasideRepos = rig.a.string
            let context = try rig.context(compose)
            _ = try await rig.generator().generate(context)
            #expect(Rig.rpms(under: context.staging.appending("compose/Temporary/x86_64/os")) == ["Packages/f/foo-1.1-1.x86_64.rpm"])
            let log = try Rig.text(context.staging.appending("logs/global/odcs-repo.global.log"))
            #expect(log.contains("1 from lookaside, 0 unresolved"))
        }
    }

    @Test func aLookasideOutsideTheAllowedRootsIsRefused() async throws {
        try await Rig.with { rig in
            var compose = rig.compose(source: rig.b.string, packages: "foo")
            compose.lookasideRepos = "/etc"
            let context = try rig.context(compose)
            let error = await #expect(throws: GeneratorError.self) { try await rig.generator().generate(context) }
            #expect(error?.message.contains("Repository /etc is not inside an allowed local directory") == true)
        }
    }

    @Test func multilibTakesTheOtherArchOfALibrary() async throws {
        try await TemporaryDirectory.with { root in
            let repo = root.appending("repos/multi")
            try await FixtureRPMs.build([FixturePackage("libmulti", arch: "i686", files: ["%{_libdir}/libmulti.so.1"])], into: repo)
            try await FixtureRPMs.repository(
                at: repo, packages: [FixturePackage("libmulti", arch: "x86_64", files: ["%{_libdir}/libmulti.so.1"])])
            let rig = Rig(root: root)
            var compose = rig.compose(source: repo.string, packages: "libmulti", arches: "x86_64")
            compose.multilibArches = "x86_64"
            compose.multilibMethod = 1
            let context = try rig.context(compose)
            _ = try await rig.generator().generate(context)
            #expect(
                Rig.rpms(under: context.staging.appending("compose/Temporary/x86_64/os")) == [
                    "Packages/l/libmulti-1.0-1.i686.rpm", "Packages/l/libmulti-1.0-1.x86_64.rpm",
                ])
        }
    }
}
