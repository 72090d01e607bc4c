import Foundation
import ODCSVolume
import SystemPackage

/// The paths of a compose directory, rooted at the staging directory (published as
/// `<target_dir>/<name>`), laid out as a Pungi compose of the single variant `Temporary`.
///
/// Every path is built through `ConfinedPath` rooted at the staging directory, so that an arch,
/// a package file name or any other value from a request or a repository can never name a
/// file outside the compose (`refusing` turns the refusal into a `GeneratorError`).
struct ComposeLayout: Sendable {
    /// The variant every ODCS compose has.
    static let variant = "Temporary"

    var staging: FilePath
    /// The staging directory as the root no path of this compose leaves.
    var root: ConfinedPath
    var name: String
    /// The generator's own step log, `logs/global/<logName>.global.log`.
    var logName: String

    init(staging: FilePath, name: String, logName: String) throws {
        self.staging = staging
        self.root = try ConfinedPath(root: staging)
        self.name = name
        self.logName = logName
    }

    var compose: FilePath { root.appending(literal: "compose").path }
    var variant: FilePath { root.appending(literal: "compose/Temporary").path }
    var metadata: FilePath { root.appending(literal: "compose/metadata").path }
    var work: FilePath { root.appending(literal: "work").path }
    var logs: FilePath { root.appending(literal: "logs").path }
    var stepLog: FilePath { get throws { try path("logs/global/\(logName).global.log") } }
    var repoFile: FilePath { get throws { try path("compose/\(Self.variant)/\(name).repo") } }

    /// `relative` below the staging directory; refused (as a `GeneratorError`) when any of
    /// its components is not a plain name.
    func path(_ relative: String) throws -> FilePath {
        do { return try root.appending(relative).path } catch { throw Self.refused(error) }
    }

    func path(components: [String]) throws -> FilePath {
        do { return try root.appending(components: components).path } catch { throw Self.refused(error) }
    }

    func tree(_ tree: PackageSelection.Tree) throws -> FilePath {
        try path(components: ["compose", Self.variant] + tree.components)
    }

    /// Where an item's file goes: `<tree>/Packages/<l>/<file>`.
    func file(of item: PackageSelection.Item) throws -> FilePath {
        try path(components: ["compose", Self.variant] + item.tree.components + item.componentsInTree)
    }

    /// Pungi's createrepo log names.
    func createrepoLog(_ tree: PackageSelection.Tree) throws -> FilePath {
        switch tree {
        case .os(let arch): try path(components: ["logs", arch, "createrepo-\(Self.variant).rpm.\(arch).log"])
        case .debug(let arch): try path(components: ["logs", arch, "createrepo-\(Self.variant).debuginfo.\(arch).log"])
        case .source: try path("logs/global/createrepo-\(Self.variant).srpm.global.log")
        }
    }

    /// Where the comps file of an arch goes (`work/<arch>/comps/comps-Temporary.<arch>.xml`, as Pungi).
    func comps(arch: String) throws -> FilePath {
        try path(components: ["work", arch, "comps", "comps-\(Self.variant).\(arch).xml"])
    }

    /// A path refusal as a compose failure that names the refused value.
    static func refused(_ error: PathError) -> GeneratorError {
        GeneratorError("A value cannot be used in a file name of the compose: \(error.path.debugDescription) (\(error.reason)).")
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

    /// Runs `body` between `STATUS` STARTED and FINISHED (DOOMED when it throws), with the step
    /// log open; a failure's message names published paths and becomes a `GeneratorError`.
    func run(
        _ context: GenerationContext, _ body: (StepLog) async throws -> GenerationResult
    ) async throws -> GenerationResult {
        let log = StepLog(path: try stepLog, logger: context.logger)
        defer { log.close() }
        do {
            try writeStatus("STARTED")
            let result = try await body(log)
            try writeStatus("FINISHED")
            log.info("Compose finished: \(result.pungiComposeID ?? "")")
            return result
        } catch {
            try? writeStatus("DOOMED")
            // A cancelled download or command can surface as its own error type.
            if error is CancellationError || Task.isCancelled {
                log.error("Compose cancelled")
                throw CancellationError()
            }
            let message = published(message: "\(error)")
            log.error(message)
            throw GeneratorError(message)
        }
    }
}
