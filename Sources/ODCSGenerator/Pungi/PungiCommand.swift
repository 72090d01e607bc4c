import ODCSCore
import SystemPackage

/// The `pungi-koji` command line upstream builds (`Pungi.get_pungi_cmd`, reference §10.5).
///
///     PungiCommand(executable: "pungi-koji", configDirectory: td, composeDirectory: staging, extraArguments: [],
///                  compose: compose, kojiEvent: 12345, oldComposes: nil).arguments
///     // ["pungi-koji", "--config=<td>/pungi.json", "--no-latest-link", "--compose-dir=<staging>", "--test", "--koji-event", "12345"]
struct PungiCommand: Sendable, Equatable {
    static let composeTypeFlags: [String: String] = [
        "test": "--test", "ci": "--ci", "nightly": "--nightly", "production": "--production", "development": "--development",
    ]

    var executable: String
    var configDirectory: FilePath
    var composeDirectory: FilePath
    /// `pungi_koji_args`, or `raw_config_pungi_koji_args[name]` for raw_config.
    var extraArguments: [String]
    var compose: Compose
    /// Passed for tag and raw_config composes only.
    var kojiEvent: Int64?
    var oldComposes: FilePath?

    var arguments: [String] {
        var argv = [
            executable, "--config=\(configDirectory.appending("pungi.json"))", "--no-latest-link", "--compose-dir=\(composeDirectory)",
        ]
        argv += extraArguments
        // The configured arguments may already choose the compose type.
        if Set(argv).isDisjoint(with: Self.composeTypeFlags.values) {
            argv.append(Self.composeTypeFlags[compose.composeType ?? "test"] ?? "--test")
        }
        if let label = compose.label, !label.isEmpty { argv.append("--label=\(label)") }
        if compose.flags.contains(.noLabel) { argv.append("--no-label") }
        for parent in (compose.parentPungiComposeIDs ?? "").split(separator: " ") { argv.append("--parent-compose-id=\(parent)") }
        if let respin = compose.respinOf, !respin.isEmpty { argv.append("--respin-of=\(respin)") }
        if let kojiEvent, kojiEvent != 0 { argv += ["--koji-event", String(kojiEvent)] }
        if let oldComposes { argv += ["--old-composes", oldComposes.string] }
        return argv
    }
}
