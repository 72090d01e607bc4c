import Testing

@testable import ODCSSolve

/// Multilib counterparts on an x86_64 compose, per Pungi's `add_multilib_packages` and python-multilib.
@Suite struct DependencySolverMultilibTests {
    /// libfoo ships a shared library, foo-devel only a header, tool only a program; each has an x86_64
    /// and an i686 build. libfoo.i686 also needs a 32-bit helper that only an i686 package provides.
    private static func fixtures() async throws -> FixtureRepository {
        var specs: [FixtureSpec] = []
        for (arch, libdir) in [("x86_64", "/usr/lib64"), ("i686", "/usr/lib")] {
            specs += [
                FixtureSpec(
                    "libfoo", arch: arch, files: ["\(libdir)/libfoo.so.1"],
                    extraPreamble: ["%ifarch i686", "Requires: libhelper.so.1", "%endif"]),
                FixtureSpec("foo-devel", arch: arch, requires: ["libfoo"], files: ["/usr/include/foo-\(arch).h"]),
                FixtureSpec("tool", arch: arch, files: ["/usr/bin/tool-\(arch)"]),
            ]
        }
        specs.append(FixtureSpec("helper", arch: "i686", provides: ["libhelper.so.1"], files: ["/usr/lib/helper.txt"]))
        return try await FixtureRepository(specs)
    }

    private static func closure(
        _ methods: Set<MultilibMethod>, whitelist: [String] = [], blacklist: [String] = [], multilibPool: Bool = true
    ) async throws -> ClosureResult {
        let repo = try await fixtures()
        let solver = DependencySolver(arch: "x86_64", multilib: multilibPool)
        let loaded = try solver.addCandidates(repository: 1, rpmFiles: repo.binaryPaths)
        let wanted = try pick(loaded, "libfoo-1.0-1.x86_64", "foo-devel-1.0-1.x86_64", "tool-1.0-1.x86_64")
        let request = ClosureRequest(
            initial: wanted, resolveDependencies: true, multilibMethods: methods, multilibWhitelist: whitelist,
            multilibBlacklist: blacklist)
        return solver.closure(request)
    }

    private static let native = ["foo-devel-1.0-1.x86_64", "libfoo-1.0-1.x86_64", "tool-1.0-1.x86_64"]

    @Test func noneAddsNoMultilibPackages() async throws {
        #expect(try await Self.closure([.none]).packages.nvras == Self.native)
        #expect(try await Self.closure([]).packages.nvras == Self.native)
    }

    @Test func runtimeAddsSharedLibraryAndItsThirtyTwoBitRequirement() async throws {
        let result = try await Self.closure([.runtime])
        #expect(result.packages.nvras == (Self.native + ["helper-1.0-1.i686", "libfoo-1.0-1.i686"]).sorted())
        #expect(result.unresolved.isEmpty)
    }

    @Test func develAddsDevelPackagesToo() async throws {
        let result = try await Self.closure([.devel])
        let expected = Self.native + ["foo-devel-1.0-1.i686", "helper-1.0-1.i686", "libfoo-1.0-1.i686"]
        #expect(result.packages.nvras == expected.sorted())
    }

    @Test func allAddsEveryCounterpart() async throws {
        let result = try await Self.closure([.all])
        let expected =
            Self.native + ["foo-devel-1.0-1.i686", "helper-1.0-1.i686", "libfoo-1.0-1.i686", "tool-1.0-1.i686"]
        #expect(result.packages.nvras == expected.sorted())
    }

    @Test func whitelistAddsAndBlacklistRefuses() async throws {
        let whitelisted = try await Self.closure([.runtime], whitelist: ["to*"])
        #expect(whitelisted.packages.nvras.contains("tool-1.0-1.i686"))
        let blacklisted = try await Self.closure([.runtime], blacklist: ["libfoo"])
        #expect(blacklisted.packages.nvras == Self.native)
    }

    @Test func poolWithoutMultilibArchesHasNoCounterparts() async throws {
        #expect(try await Self.closure([.all], multilibPool: false).packages.nvras == Self.native)
    }

    @Test func nodepsStillAddsMultilibCounterparts() async throws {
        let repo = try await Self.fixtures()
        let solver = DependencySolver(arch: "x86_64", multilib: true)
        let loaded = try solver.addCandidates(repository: 1, rpmFiles: repo.binaryPaths)
        let request = ClosureRequest(
            initial: try pick(loaded, "libfoo-1.0-1.x86_64"), resolveDependencies: false, multilibMethods: [.runtime])
        #expect(solver.closure(request).packages.nvras == ["libfoo-1.0-1.i686", "libfoo-1.0-1.x86_64"])
    }
}
