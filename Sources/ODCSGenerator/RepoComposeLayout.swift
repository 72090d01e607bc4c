import Foundation
import SystemPackage

/// The paths of a compose directory that `RepoGenerator` writes, rooted at the staging
/// directory (published as `<target_dir>/<name>`).
struct RepoComposeLayout: Sendable {
    var staging: FilePath
    var name: String

    var compose: FilePath { staging.appending("compose") }
    var variant: FilePath { compose.appending(RepoGenerator.variant) }
    var metadata: FilePath { compose.appending("metadata") }
    var work: FilePath { staging.appending("work") }
    var logs: FilePath { staging.appending("logs") }
    var stepLog: FilePath { logs.appending("global/odcs-repo.global.log") }
    var repoFile: FilePath { variant.appending("\(name).repo") }

    func tree(_ tree: PackageSelection.Tree) -> FilePath { variant.appending(tree.path) }

    /// Pungi's createrepo log names.
    func createrepoLog(_ tree: PackageSelection.Tree) -> FilePath {
        switch tree {
        case .os(let arch): logs.appending("\(arch)/createrepo-\(RepoGenerator.variant).rpm.\(arch).log")
        case .debug(let arch): logs.appending("\(arch)/createrepo-\(RepoGenerator.variant).debuginfo.\(arch).log")
        case .source: logs.appending("global/createrepo-\(RepoGenerator.variant).srpm.global.log")
        }
    }

    func writeStatus(_ status: String) throws {
        try write(status + "\n", to: staging.appending("STATUS"))
    }

    func write(_ text: String, to path: FilePath) throws {
        try FileManager.default.createDirectory(atPath: path.removingLastComponent().string, withIntermediateDirectories: true)
        try text.write(toFile: path.string, atomically: true, encoding: .utf8)
    }

    /// Error messages name logs by where they will be once the worker has published the
    /// staging directory `<target_dir>/.staging/<name>-<attempt>` as `<target_dir>/<name>`.
    func published(message: String) -> String {
        let parent = staging.removingLastComponent()
        guard parent.lastComponent?.string == ".staging" else { return message }
        let final = parent.removingLastComponent().appending(name)
        return message.replacingOccurrences(of: staging.string, with: final.string)
    }
}
