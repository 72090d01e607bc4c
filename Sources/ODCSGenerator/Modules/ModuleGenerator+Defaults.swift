import Foundation
import ODCSCore
import ODCSRepo

extension ModuleGenerator {
    /// The `modulemd-defaults` documents for `modules` in the compose's module defaults
    /// repository (`module_defaults_url`, stored as `"<url> <commit>"`): the repository is
    /// cloned with git at that commit or branch, and every `*.yaml` file at its top is read, as
    /// Pungi's `module_defaults_dir` with `dir: "."`.
    func defaultsDocuments(of compose: Compose, modules: Set<String>, layout: ComposeLayout, log: StepLog) async throws -> [String] {
        guard let value = compose.moduleDefaultsURL, !value.isEmpty else { return [] }
        let parts = value.split(separator: " ").map(String.init)
        guard parts.count == 2, !parts[0].hasPrefix("-"), !parts[1].hasPrefix("-") else {
            throw GeneratorError("module_defaults_url \(value) is not \"<url> <commit>\".")
        }
        let (url, commit) = (parts[0], parts[1])
        let checkout = layout.work.appending("global/module_defaults")
        let gitLog = layout.logs.appending("global/module_defaults.global.log")
        // Arguments only, never a shell; no prompt for credentials on a private URL.
        let environment = ["GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/true"]
        do {
            try await ExternalCommand(
                ["git", "clone", "--quiet", "--no-checkout", "--", url, checkout.string], log: gitLog, timeout: configuration.gitTimeout,
                environment: environment
            ).run()
            try await ExternalCommand(
                ["git", "-c", "advice.detachedHead=false", "checkout", "--quiet", commit, "--"], log: gitLog,
                timeout: configuration.gitTimeout, workingDirectory: checkout, environment: environment
            ).run()
        } catch let error as RepoError {
            throw GeneratorError("Cannot check out the module defaults \(url) at \(commit): \(error.description)")
        }
        var documents: [String] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: checkout.string).filter { $0.hasSuffix(".yaml") }.sorted()
        for file in files {
            guard let text = try? String(contentsOfFile: checkout.appending(file).string, encoding: .utf8) else { continue }
            documents += ModuleDefaults.documents(in: text, for: modules)
        }
        log.info("Module defaults from \(url) at \(commit): \(documents.count) documents for the compose's modules")
        return documents
    }
}
