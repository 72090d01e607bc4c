import ArgumentParser
import Foundation
import ODCSTesting
import SystemPackage

/// The Koji test hub as a process, for the compatibility tests and benchmarks that run
/// `odcs serve` as real processes: builds a fixture Koji volume, serves the hub until killed,
/// and writes what clients need to know to `--ready`. The built fixture is saved next to the
/// volume; `--reuse` serves a saved one again instead of rebuilding it.
///
///     koji-test-hub --directory /tmp/koji --ready /tmp/koji/ready.json &
///     koji-test-hub --directory /var/tmp/bench --fixture synthetic:2000:x86_64,aarch64 --reuse --ready ready.json &
///     # ready.json: {"url": "http://127.0.0.1:<port>/kojihub", "topdir": "/tmp/koji/koji", "sigkey": "…"}
@main
struct KojiTestHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "koji-test-hub", abstract: "A Koji hub for tests, over a fixture volume built with rpmbuild.")

    @Option(help: "Directory for the fixture volume (<directory>/koji) and the signing key.")
    var directory: String

    @Option(help: "File to write {url, topdir, sigkey} to once the hub answers.")
    var ready: String

    @Option(help: "Port to listen on (0: any free port).")
    var port: Int = 0

    @Option(
        help: """
            Fixture: 'rig' (Pungi's observed rig) or 'synthetic:<packages>:<arches>' \
            (e.g. synthetic:2000:x86_64,aarch64: builds of 20 packages each, in tag 'bench'); \
            with --reuse also 'scale:…', written by Benchmarks/koji/scale_fixture.py.
            """)
    var fixture: String = "rig"

    @Flag(help: "Serve the fixture saved in --directory by an earlier run for the same --fixture, if there is one.")
    var reuse = false

    func run() async throws {
        let root = FilePath(directory)
        let saved: SavedFixture
        if reuse, let found = try SavedFixture.load(from: root, fixture: fixture) {
            saved = found
        } else {
            saved = try await build(at: root)
            try saved.save(in: root)
        }
        let hub = KojiTestHub(data: saved.data)
        let topdir = root.appending("koji").string
        let readyPath = ready
        try await hub.serving(port: port) { url in
            let info: [String: String] = ["url": url, "topdir": topdir, "sigkey": saved.sigkey]
            let data = try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])
            try data.write(to: URL(fileURLWithPath: readyPath + ".part"))
            _ = rename(readyPath + ".part", readyPath)
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    func build(at root: FilePath) async throws -> SavedFixture {
        if fixture == "rig" {
            let (rig, signer) = try await KojiFixture.rig(at: root)
            return SavedFixture(fixture: fixture, sigkey: signer.sigkey, data: rig.data)
        }
        if fixture.hasPrefix("scale:") {
            throw ValidationError(
                "no saved fixture '\(fixture)' in \(directory): scale fixtures are written by Benchmarks/koji/scale_fixture.py")
        }
        let parts = fixture.split(separator: ":")
        guard parts.count == 3, parts[0] == "synthetic", let count = Int(parts[1]), count > 0, !parts[2].isEmpty else {
            throw ValidationError("--fixture must be 'rig' or 'synthetic:<packages>:<arches>'")
        }
        let arches = parts[2].split(separator: ",").map(String.init)
        let synthetic = try await KojiFixture.synthetic(at: root, packages: count, arches: arches)
        return SavedFixture(fixture: fixture, sigkey: "", data: synthetic.data)
    }
}
