import SystemPackage

extension KojiFixture {
    /// A tag `bench` of `packages` binary RPMs per arch for benchmarks: builds of 20 packages
    /// each (one spec with 19 subpackages). Every fourth build is noarch (built once, shipped in
    /// every arch's tree, as a quarter of a distribution is); the others are built once per arch.
    ///
    /// Each build's main package provides a soname-style library (`libbench<i>.so.1()(64bit)`)
    /// and owns a tool (`/usr/bin/bench<i>`); it requires the previous build's main package (so
    /// that the closure of the last build's main package holds every build), the library of up
    /// to four earlier builds and the tool of up to two (file dependencies), so that solving
    /// dependencies over the tag resolves names, provides and file paths. Subpackages carry no
    /// `Requires` (`FixturePackage` gives them none).
    public static func synthetic(at directory: FilePath, packages: Int, arches: [String]) async throws -> KojiFixture {
        var koji = try KojiFixture(topdir: directory.appending("koji"))
        koji.data.addTag("bench")
        let perBuild = 20
        let builds = (packages + perBuild - 1) / perBuild
        for index in 0..<builds {
            let count = min(perBuild, packages - index * perBuild)
            let noarch = index % 4 == 3
            let package = FixturePackage(
                "bench\(index)", version: "1.0", arch: noarch ? "noarch" : arches[0],
                requires: syntheticRequires(build: index),
                provides: noarch ? [] : ["libbench\(index).so.1()(64bit)"], subpackages: (1..<max(1, count)).map { "sub\($0)" },
                files: ["/usr/bin/bench\(index)"])
            try await koji.addBuild(package, arches: noarch ? ["noarch"] : arches, tags: ["bench"])
        }
        return koji
    }

    /// The main package's `Requires` in build `index`: earlier builds only, picked by a fixed
    /// multiplicative hash, so that the fixture is the same on every machine.
    static func syntheticRequires(build index: Int) -> [String] {
        guard index > 0 else { return [] }
        func earlier(_ salt: Int) -> Int { Int((UInt64(index) &* 2_654_435_761 &+ UInt64(salt) &* 40_503) % (1 << 32)) % index }
        var requires = ["bench\(index - 1)"]
        for salt in 1...4 where earlier(salt) % 4 != 3 {
            let library = "libbench\(earlier(salt)).so.1()(64bit)"
            if !requires.contains(library) { requires.append(library) }
        }
        for salt in 5...6 {
            let tool = "/usr/bin/bench\(earlier(salt))"
            if !requires.contains(tool) { requires.append(tool) }
        }
        return requires
    }
}
