import Testing

@testable import ODCSSolve

@Suite struct MultilibPolicyTests {
    private func subject(_ name: String, files: [String] = [], provides: [String] = []) -> MultilibPolicy.Subject {
        MultilibPolicy.Subject(name: name, arch: "i686", provideNames: { provides }, files: { files })
    }

    @Test func runtimeSelectsLibrariesAndPlugins() {
        let runtime = MultilibPolicy(methods: [.runtime], whitelist: [], blacklist: [])
        #expect(runtime.isMultilib(subject("zlib", files: ["/usr/lib/libz.so.1"])))
        #expect(runtime.isMultilib(subject("nss", files: ["/lib/libnss_files.so"])))
        #expect(runtime.isMultilib(subject("gst", files: ["/usr/lib/gstreamer-1.0/libx.so"])))
        #expect(runtime.isMultilib(subject("qt", files: ["/usr/lib/qt5/plugins/styles/x.so"])))
        #expect(runtime.isMultilib(subject("mysql", files: ["/etc/ld.so.conf.d/mysql.conf"])))
        #expect(!runtime.isMultilib(subject("zlib-devel", files: ["/usr/lib/libz.so", "/usr/include/zlib.h"])))
        #expect(!runtime.isMultilib(subject("kernel", files: ["/lib/libx.so.1"], provides: ["kernel"])))
    }

    @Test func develAddsDevelAndStaticNamesButNotGhc() {
        let devel = MultilibPolicy(methods: [.devel], whitelist: [], blacklist: [])
        #expect(devel.isMultilib(subject("zlib-devel")))
        #expect(devel.isMultilib(subject("zlib-static")))
        #expect(!devel.isMultilib(subject("ghc-foo-devel")))
        #expect(devel.isMultilib(subject("kernel-headers", provides: ["kernel-headers", "foo-devel"])))
        #expect(!devel.isMultilib(subject("kernel-devel", provides: ["kernel-devel"])))
    }

    @Test func blacklistWinsOverWhitelistAndMethods() {
        let policy = MultilibPolicy(methods: [.all], whitelist: ["wine*"], blacklist: ["wine-core"])
        #expect(!policy.isMultilib(subject("wine-core")))
        #expect(policy.isMultilib(subject("wine-libs")))
        let none = MultilibPolicy(methods: [.none], whitelist: ["wine*"], blacklist: [])
        #expect(none.isMultilib(subject("wine-libs")))
        #expect(!none.isMultilib(subject("zlib", files: ["/usr/lib/libz.so.1"])))
    }
}
