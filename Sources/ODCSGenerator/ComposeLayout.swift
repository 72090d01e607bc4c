import Foundation
import SystemPackage

/// The paths of a compose directory, rooted at the staging directory (published as
/// `<target_dir>/<name>`), laid out as a Pungi compose of the single variant `Temporary`.
struct ComposeLayout: Sendable {
    /// The variant every ODCS compose has.
    static let variant = "Temporary"

    var staging: FilePath
    var name: String
    /// The generator's own step log, `logs/global/<logName>.global.log`.
    var logName: String

    var compose: FilePath { staging.appending("compose") }
    var variant: FilePath { compose.appending(Self.variant) }
    var metadata: FilePath { compose.appending("metadata") }
    var work: FilePath { staging.appending("work") }
    var logs: FilePath { staging.appending("logs") }
    var stepLog: FilePath { logs.appending("global/\(logName).global.log") }
    var repoFile: FilePath { variant.appending("\(name).repo") }

    func tree(_ tree: PackageSelection.Tree) -> FilePath { variant.appending(tree.path) }

    /// Pungi's createrepo log names.
    func createrepoLog(_ tree: PackageSelection.Tree) -> FilePath {
        switch tree {
        case .os(let arch): logs.appending("\(arch)/createrepo-\(Self.variant).rpm.\(arch).log")
        case .debug(let arch): logs.appending("\(arch)/createrepo-\(Self.variant).debuginfo.\(arch).log")
        case .source: logs.appending("global/createrepo-\(Self.variant).srpm.global.log")
        }
    }

    /// Where the comps file of an arch goes (`work/<arch>/comps/comps-Temporary.<arch>.xml`, as Pungi).
    func comps(arch: String) -> FilePath { work.appending("\(arch)/comps/comps-\(Self.variant).\(arch).xml") }

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
        let log = StepLog(path: stepLog, logger: context.logger)
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
