import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSRepo
import ODCSTesting
import ODCSVolume
import SystemPackage

/// A target dir, the pungi-koji stand-in (`Tests/Fixtures/pungi-koji-standin`, which checks
/// its arguments and writes a Pungi-shaped tree) and the contexts the PungiGenerator tests use.
struct PungiGeneratorRig {
    static let standin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pungi-koji-standin").path

    let root: FilePath
    var target: FilePath { root.appending("target") }
    var record: FilePath { root.appending("argv.json") }

    static func with(_ body: (PungiGeneratorRig) async throws -> Void) async throws {
        try await TemporaryDirectory.with(prefix: "odcs-pungi") { root in
            let rig = PungiGeneratorRig(root: root)
            try FileManager.default.createDirectory(atPath: rig.target.string, withIntermediateDirectories: true)
            try await body(rig)
        }
    }

    /// The stand-in as `pungi_koji`, recording its argv; `extra` are more `pungi_koji_args`.
    func configuration(_ extra: [String] = []) -> PungiGenerator.Configuration {
        var configuration = PungiGenerator.Configuration()
        configuration.pungiKoji = Self.standin
        configuration.pungiKojiArgs = ["--standin-record=\(record)"] + extra
        configuration.kojiProfile = "koji"
        return configuration
    }

    func compose(_ type: SourceType = .tag, source: String = "f26", id: Int64 = 1, packages: String? = nil) -> Compose {
        var compose = Compose(
            id: id, owner: "dev", sourceType: type, source: source, state: .generating, results: [.repository], flags: [],
            timeToExpire: Date(), timeSubmitted: Date())
        compose.packages = packages
        compose.sigkeys = ""
        compose.arches = "x86_64"
        compose.multilibArches = ""
        compose.lookasideRepos = ""
        compose.composeType = "test"
        compose.kojiEvent = 12345
        return compose
    }

    /// A staging directory laid out as the worker lays it out.
    func context(_ compose: Compose) throws -> GenerationContext {
        let staging = try VolumeLayout(targetDir: target).makeStaging(id: compose.id, attempt: 1)
        return GenerationContext(
            compose: compose, attempt: 1, staging: staging, targetDirURL: "http://localhost/odcs", logger: Logger(label: "test"))
    }

    /// What the stand-in recorded: its argv, working directory and ODCS_* environment.
    func recorded() throws -> (argv: [String], cwd: String, env: [String: String]) {
        let document = try JSONValue.parse(try String(contentsOfFile: record.string, encoding: .utf8))
        let object = document.objectValue
        return (
            object?["argv"]?.arrayValue?.compactMap(\.stringValue) ?? [], object?["cwd"]?.stringValue ?? "",
            Dictionary(uniqueKeysWithValues: (object?["env"]?.objectValue?.entries ?? []).map { ($0.key, $0.value.stringValue ?? "") })
        )
    }

    static func text(_ path: FilePath) throws -> String { try String(contentsOfFile: path.string, encoding: .utf8) }

    static func today() -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: .current, from: Date())
        return String(format: "%04d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// A process that is gone, or a zombie nobody has reaped yet.
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state == "Z" || state == "X"
    }

    /// Runs git in `directory`, for building the raw_config repositories of the tests.
    func git(_ arguments: [String], in directory: FilePath) async throws -> String {
        let output = root.appending("git-output")
        try await ExternalCommand(
            ["git", "-C", directory.string] + arguments, log: root.appending("git-test.log"), timeout: .seconds(120),
            environment: [
                "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.com",
            ]
        ).run(standardOutputTo: output)
        return try Self.text(output).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
