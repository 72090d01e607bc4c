import Foundation
import ODCSCore
import ODCSRepo
import ODCSVolume
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The steps around the pungi-koji run: raw config validation and post script, the check of
/// the requested packages, the raw_config symlinks.
extension PungiGenerator {
    /// `pungi-config-validate` on a raw config, when configured; a non-zero exit fails the compose.
    func validate(_ td: FilePath, rawConfig: RawConfigCheckout, staging: FilePath, log: StepLog) async throws {
        guard let validator = configuration.configValidate, !validator.isEmpty else { return }
        var arguments = [validator, "--old-composes"]
        if let global = configuration.schemaOverride, !global.isEmpty { arguments += ["--schema-override", global] }
        if let own = rawConfig.source.schemaOverride, !own.isEmpty { arguments += ["--schema-override", own] }
        arguments.append(td.appending("pungi.json").string)
        let stdout = staging.appending("pungi-config-validate-stdout.log")
        let stderr = staging.appending("pungi-config-validate-stderr.log")
        log.info("Validating the raw config: \(RepoError.pythonList(arguments))")
        do {
            try await ExternalCommand(arguments, log: stderr, timeout: configuration.gitTimeout, workingDirectory: td)
                .run(standardOutputTo: stdout)
        } catch let error as RepoError {
            if case .commandFailed(_, let status, _) = error {
                throw GeneratorError(
                    "Command '\(RepoError.pythonList(arguments))' returned non-zero value \(status), stdout log: \(stdout), stderr log: \(stderr)"
                )
            }
            throw GeneratorError(error.description)
        }
    }

    /// A raw_config source's `post_script`, in the compose directory; its failure is only logged.
    func runPostScript(_ script: [String], staging: FilePath, log: StepLog) async {
        let stdout = staging.appending("post-script-stdout.log")
        do {
            try await ExternalCommand(
                script, log: staging.appending("post-script-stderr.log"), timeout: configuration.postScriptTimeout,
                workingDirectory: staging
            ).run(standardOutputTo: stdout)
        } catch {
            log.error("Failed to post compose script \(RepoError.pythonList(script)): \(error)")
        }
    }

    /// upstream's `validate_pungi_compose`: every requested package name is among the binary
    /// (and debug) RPMs of `compose/metadata/rpms.json`.
    func checkRequestedPackages(_ compose: Compose, staging: FilePath) throws {
        let requested = (compose.packages ?? "").split(separator: " ").map(String.init)
        guard !requested.isEmpty else { return }
        let path = staging.appending("compose/metadata/rpms.json")
        guard let text = try? String(contentsOfFile: path.string, encoding: .utf8), let document = try? JSONValue.parse(text),
            let variants = document.objectValue?["payload"]?.objectValue?["rpms"]?.objectValue
        else { throw GeneratorError("Cannot read the compose's RPM metadata \(path).") }
        var names = Set<String>()
        for (_, arches) in variants.entries {
            for (_, sources) in arches.objectValue?.entries ?? [] {
                for (_, rpms) in sources.objectValue?.entries ?? [] {
                    for (nevra, data) in rpms.objectValue?.entries ?? [] where data.objectValue?["category"]?.stringValue != "source" {
                        names.insert(Self.name(ofNEVRA: nevra))
                    }
                }
            }
        }
        let missing = requested.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw GeneratorError(
                "The following requested packages are not present in the generated compose: \(missing.joined(separator: " ")).")
        }
    }

    /// productmd's `parse_nvra(...)["name"]`: `name-[epoch:]version-release.arch`.
    static func name(ofNEVRA nevra: String) -> String {
        var text = Substring(nevra.hasSuffix(".rpm") ? String(nevra.dropLast(4)) : nevra)
        if let dot = text.lastIndex(of: ".") { text = text[..<dot] }
        for _ in 0..<2 {
            guard let dash = text.lastIndex(of: "-") else { break }
            text = text[..<dash]
        }
        return String(text)
    }

    /// `<target_dir>/<compose_type>/{<id>, latest-<A>-<B>, latest-<A>-<B>-<label>}` → `../odcs-<id>`
    /// (upstream's `generate_compose_symlink`). Relative, so they resolve once the worker has
    /// published the staging directory as `odcs-<id>`.
    func linkRawConfig(_ composeID: String, context: GenerationContext, log: StepLog) throws {
        let compose = context.compose
        let type = compose.composeType.flatMap { $0.isEmpty ? nil : $0 } ?? "test"
        guard let target = targetDir(of: context) else { return }
        let parts = composeID.split(separator: "-", omittingEmptySubsequences: false)
        var names = [composeID, "latest-\(parts.prefix(2).joined(separator: "-"))"]
        if let label = compose.label, !label.isEmpty { names.append("\(names[1])-\(label)") }
        let volume = VolumeLayout(targetDir: target)
        let directory: ConfinedPath
        let links: [ConfinedPath]
        do {
            directory = try volume.entry(type)
            links = try names.map { name throws(PathError) in try directory.appending(components: [name]) }
        } catch {
            throw GeneratorError("The compose id \(composeID) cannot name a symlink in \(type)/: \(error.reason).")
        }
        try volume.ensureRealDirectory(directory)
        for link in links {
            if unlink(link.string) != 0 && errno != ENOENT {
                throw GeneratorError("Cannot replace the symlink \(link): \(String(cString: strerror(errno)))")
            }
            guard symlink("../\(context.name)", link.string) == 0 else {
                throw GeneratorError("Cannot create the symlink \(link): \(String(cString: strerror(errno)))")
            }
            log.info("Symlink \(link) -> ../\(context.name)")
        }
    }
}

/// The errors Pungi logged (upstream's `PungiLogs.get_error_string`): the text after
/// `[ERROR   ] ` of each error line, with the line that follows it, tracebacks left out, cut
/// at 2000 characters.
enum PungiLogErrors {
    static func read(_ path: FilePath) -> String {
        guard let text = try? String(contentsOfFile: path.string, encoding: .utf8) else { return "" }
        let marker = "[ERROR   ]"
        var errors: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            let line = String(line) + "\n"
            guard let range = line.range(of: marker) else {
                if !current.isEmpty {
                    errors.append(current + line)
                    current = ""
                }
                continue
            }
            if !current.isEmpty { errors.append(current) }
            current = String(line[range.upperBound...].dropFirst())
        }
        var result = ""
        for error in errors where !error.hasPrefix("Extended traceback in:") {
            result += error
            if result.count > 2000 {
                result = String(result.prefix(2000)) + " ...\n Too many errors, see Pungi log for more information."
                break
            }
        }
        return result
    }
}
