import SystemPackage

extension KojiFixture {
    /// The rig Pungi's behaviour was observed on (pungi-koji-facts §A): `rig-tag` inherits
    /// `rig-base`; rig-base holds bar-2.0-1 (x86_64, Provides libbar, with a debuginfo
    /// subpackage) and qux-3.0-1 (noarch); rig-tag holds foo-1.0-1 then foo-1.1-1 (x86_64,
    /// Requires libbar, with a -devel subpackage) and baz-0.1-1 (noarch). foo-1.1-1 and baz are
    /// signed with `signer`'s key, bar and qux are not. Besides, the modular tag `rig-modular`
    /// holds the module build `rigmod:1:1:00000000`, whose content tag holds modpkg-1.0-1
    /// (noarch), for composes with `modular_koji_tags`; its per-arch modulemd archives are under
    /// its `files/module/`.
    public static func rig(at directory: FilePath) async throws -> (fixture: KojiFixture, signer: FixtureSigner) {
        var koji = try KojiFixture(topdir: directory.appending("koji"))
        let signer = try await FixtureSigner.make(in: directory.appending("gnupg"))
        koji.data.addTag("rig-base")
        koji.data.addTag("rig-tag", parents: ["rig-base"])
        try await koji.addBuild(
            FixturePackage("bar", version: "2.0", arch: "x86_64", provides: ["libbar"], subpackages: ["debuginfo"]),
            tags: ["rig-base"])
        try await koji.addBuild(FixturePackage("qux", version: "3.0"), tags: ["rig-base"])
        try await koji.addBuild(
            FixturePackage("foo", version: "1.0", arch: "x86_64", requires: ["libbar"], subpackages: ["devel"]), tags: ["rig-tag"])
        let foo = try await koji.addBuild(
            FixturePackage("foo", version: "1.1", arch: "x86_64", requires: ["libbar"], subpackages: ["devel"]), tags: ["rig-tag"])
        let baz = try await koji.addBuild(FixturePackage("baz", version: "0.1"), tags: ["rig-tag"])
        try await koji.sign(foo, with: signer)
        try await koji.sign(baz, with: signer)

        let module = MBSTestServer.Module(
            name: "rigmod", stream: "1", version: 1, kojiTag: "module-rigmod-1-1-00000000",
            artifacts: ["modpkg-0:1.0-1.module_rig.noarch", "modpkg-0:1.0-1.module_rig.src"], baseModuleStream: "rig")
        koji.data.addTag(module.kojiTag!)
        koji.data.addTag("rig-modular")
        try await koji.addBuild(FixturePackage("modpkg", release: "1.module_rig"), tags: [module.kojiTag!])
        try koji.addModuleBuild(module, tags: ["rig-modular"])
        return (koji, signer)
    }
}
