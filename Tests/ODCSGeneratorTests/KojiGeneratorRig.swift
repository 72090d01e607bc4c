import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSKoji
import ODCSTesting
import SystemPackage

/// Pungi's observed rig (`KojiFixture.rig`) plus what the other cases need, built once for
/// the suite, and per test a Koji test hub serving a copy of its data:
/// - `rig-multilib`: libmulti 1.0 built for x86_64 and i686 (`%{_libdir}/libmulti.so.1`).
/// - `rig-broken`: broken 1.0 whose noarch RPM on the volume is garbage of the right size.
struct KojiGeneratorRig: Sendable {
    let root: FilePath
    let fixture: KojiFixture
    let signer: FixtureSigner

    static let shared = Task { try await KojiGeneratorRig.make() }

    static func make() async throws -> KojiGeneratorRig {
        let root = try TemporaryDirectory.make(prefix: "koji-generator-rig")
        var (fixture, signer) = try await KojiFixture.rig(at: root)
        fixture.data.addTag("rig-multilib")
        try await fixture.addBuild(
            FixturePackage("libmulti", arch: "x86_64", files: ["%{_libdir}/libmulti.so.1"]), arches: ["x86_64", "i686"],
            tags: ["rig-multilib"])
        fixture.data.addTag("rig-broken")
        let broken = try await fixture.addBuild(FixturePackage("broken"), tags: ["rig-broken"])
        let build = fixture.data.build(id: broken)!
        let file = fixture.topdir.appending("packages/broken/\(build.version)/\(build.release)/noarch/broken-1.0-1.noarch.rpm")
        let size = try FileManager.default.attributesOfItem(atPath: file.string)[.size] as! Int
        try Data(repeating: 0x42, count: size).write(to: URL(fileURLWithPath: file.string))
        return KojiGeneratorRig(root: root, fixture: fixture, signer: signer)
    }

    /// A hub over a copy of the rig's data and a generator pointed at it; `body` gets a fresh
    /// target dir on the volume's filesystem.
    static func with(
        topurl: String? = nil, _ body: @Sendable (KojiGeneratorRig, KojiTestHub, KojiGenerator, FilePath) async throws -> Void
    ) async throws {
        let rig = try await shared.value
        let hub = KojiTestHub(data: rig.fixture.data)
        try await hub.serving { url in
            try await TemporaryDirectory.with(prefix: "koji-target", in: rig.root) { target in
                let koji = KojiClient(configuration: .init(url: url, timeout: .seconds(10), maxRetries: 0))
                let configuration = KojiGenerator.Configuration(
                    topdir: topurl == nil ? rig.fixture.topdir : nil, topurl: topurl)
                try await body(rig, hub, KojiGenerator(configuration: configuration, koji: koji), target)
            }
        }
    }

    static func compose(
        id: Int64 = 1, type: SourceType = .tag, source: String, packages: String? = nil, flags: ComposeFlags = [],
        sigkeys: String? = nil, event: Int64? = nil
    ) -> Compose {
        var compose = Compose(
            id: id, owner: "me", sourceType: type, source: source, state: .generating, results: .repository, flags: flags,
            timeToExpire: Date(timeIntervalSinceNow: 3600), timeSubmitted: Date())
        compose.packages = packages
        compose.sigkeys = sigkeys
        compose.kojiEvent = event
        compose.arches = "x86_64"
        return compose
    }

    static func context(
        _ compose: Compose, target: FilePath, targetDirURL: String = "http://localhost/odcs", headerCache: FilePath? = nil,
        kojiListingCache: FilePath? = nil
    ) throws -> GenerationContext {
        let staging = target.appending(".staging/odcs-\(compose.id)-1")
        try FileManager.default.createDirectory(atPath: staging.string, withIntermediateDirectories: true)
        var logger = Logger(label: "koji-generator-test")
        logger.logLevel = .warning
        return GenerationContext(
            compose: compose, attempt: 1, staging: staging, targetDirURL: targetDirURL, logger: logger, headerCache: headerCache,
            kojiListingCache: kojiListingCache)
    }

    /// The file names in a tree of the generated compose.
    static func files(_ context: GenerationContext, _ tree: String) -> [String] {
        let directory = context.staging.appending("compose/Temporary/\(tree)")
        let entries = FileManager.default.enumerator(atPath: directory.string)?.compactMap { $0 as? String } ?? []
        return entries.filter { $0.hasSuffix(".rpm") }.map { String($0.split(separator: "/").last!) }.sorted()
    }
}
