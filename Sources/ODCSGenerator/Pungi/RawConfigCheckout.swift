import Foundation
import ODCSCore
import ODCSRepo
import SystemPackage

/// Puts a raw_config compose's Pungi configuration into a working directory (upstream's
/// `RawPungiConfig.write_config_files`, reference §10.6): the configured git repository cloned
/// and checked out at the requested commit, its files (or those of its `path`) copied in, the
/// user's config file as `raw_config.conf` under ODCS's wrapper `pungi.conf` (when a wrapper is
/// configured; otherwise the user's file is `pungi.conf`), and `pungi.json` parsed from it by
/// kobo's `PyConfigParser`, Pungi's own configuration parser, in a Python process.
///
/// Every command is an argv array. The commit comes from a request, so it must be a plain
/// revision name (`RawConfigSource.isPlainRevision`) and is resolved with
/// `rev-parse --verify --end-of-options` before anything checks it out.
struct RawConfigCheckout: Sendable {
    var name: String
    var commit: String
    var source: RawConfigSource
    /// The wrapper file (`raw_config_wrapper` of the source, else `raw_config_wrapper_conf_path`).
    var wrapper: FilePath?
    var git: String
    var gitCredentialHelper: String?
    var python: String
    var timeout: Duration
    /// Where the git and parser commands log (in the compose directory).
    var log: FilePath

    /// Splits a raw_config compose's `source`, `name#commit`, and finds its configuration.
    init(compose: Compose, configuration: PungiGenerator.Configuration, log: FilePath) throws {
        let parts = compose.source.split(separator: "#", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw GeneratorError("Source must be in \"source_name#commit_hash\" format for \"raw_config\" source_type.")
        }
        guard let source = configuration.rawConfigs[parts[0]] else {
            throw GeneratorError("Source \"\(parts[0])\" does not exist in server configuration.")
        }
        name = parts[0]
        // A commit in the server configuration wins over the requested one (upstream).
        commit = source.commit ?? parts[1]
        guard RawConfigSource.isPlainRevision(commit) else {
            throw GeneratorError("raw_config \(name): \"\(commit)\" is not a valid git commit or branch name.")
        }
        self.source = source
        wrapper = (source.wrapper ?? configuration.rawConfigWrapper).flatMap { $0.isEmpty ? nil : FilePath($0) }
        git = configuration.git
        gitCredentialHelper = configuration.gitCredentialHelper
        python = configuration.python
        timeout = configuration.gitTimeout
        self.log = log
    }

    /// Writes `pungi.json` (and everything it includes) into `directory`.
    func write(into directory: FilePath, compose: Compose, renderer: ComposeJSONRenderer?) async throws {
        let repository = directory.appending("raw_config_repo")
        try await clone(into: repository)
        let files = source.path.map { repository.appending($0) } ?? repository
        try copyContents(of: files, into: directory)

        let mainConfig = directory.appending(wrapper == nil ? "pungi.conf" : "raw_config.conf")
        let dump = compose.pungiConfigDump.flatMap { $0.isEmpty ? nil : $0 }
        if dump != nil {
            // A respin of a production compose: the very same configuration, updated by today's wrapper.
            try "# empty config file".write(toFile: mainConfig.string, atomically: true, encoding: .utf8)
        } else {
            let userConfig = directory.appending(source.configFilename)
            guard FileManager.default.fileExists(atPath: userConfig.string) else {
                throw GeneratorError("raw_config \(name): \(source.configFilename) does not exist at commit \(commit).")
            }
            if userConfig != mainConfig {
                if FileManager.default.fileExists(atPath: mainConfig.string) {
                    try FileManager.default.removeItem(atPath: mainConfig.string)
                }
                try FileManager.default.copyItem(atPath: userConfig.string, toPath: mainConfig.string)
            }
        }
        // The wrapper goes in last, so that no file of the repository (its own pungi.conf) replaces it.
        if let wrapper {
            let text: String
            do { text = try String(contentsOfFile: wrapper.string, encoding: .utf8) } catch {
                throw GeneratorError("Cannot read the raw_config wrapper \(wrapper): \(error.localizedDescription)")
            }
            let pungiConf = directory.appending("pungi.conf")
            if FileManager.default.fileExists(atPath: pungiConf.string) { try FileManager.default.removeItem(atPath: pungiConf.string) }
            try Self.render(wrapper: text, compose: compose, renderer: renderer)
                .write(toFile: pungiConf.string, atomically: true, encoding: .utf8)
        }
        if let dump {
            let dumpFile = directory.appending("pungi-config-dump.json")
            try dump.write(toFile: dumpFile.string, atomically: true, encoding: .utf8)
            if wrapper != nil {
                try await parse(["merge", directory.appending("pungi.conf").string, dumpFile.string], directory: directory)
            } else {
                try FileManager.default.copyItem(atPath: dumpFile.string, toPath: directory.appending("pungi.json").string)
            }
        } else {
            try await parse(["convert", directory.appending("pungi.conf").string], directory: directory)
        }
    }

    /// `git clone` and a checkout of the resolved commit, never asking for a password.
    func clone(into repository: FilePath) async throws {
        var gitEnvironment = ["GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/false", "ODCS_RAW_CONFIG_SOURCE_NAME": name]
        var options: [String] = []
        if let helper = gitCredentialHelper {
            options += ["-c", "credential.useHttpPath=true", "-c", "credential.helper=\(helper)"]
        }
        if let tokenFile = source.tokenFile, source.url.lowercased().hasPrefix("https://") {
            // Through the environment, not argv: the token must not show in ps or the log.
            guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                !token.isEmpty
            else { throw GeneratorError("raw_config \(name): cannot read the token file \(tokenFile).") }
            gitEnvironment["GIT_CONFIG_COUNT"] = "1"
            gitEnvironment["GIT_CONFIG_KEY_0"] = "http.extraHeader"
            gitEnvironment["GIT_CONFIG_VALUE_0"] = "Authorization: Bearer \(token)"
        }
        let environment = gitEnvironment
        func run(_ arguments: [String], failure: String) async throws {
            do {
                try await ExternalCommand([git] + arguments, log: log, timeout: timeout, environment: environment).run()
            } catch let error as RepoError {
                switch error {
                case .commandFailed, .commandTimedOut: throw GeneratorError("raw_config \(name): \(failure) (see \(log)).")
                default: throw GeneratorError(error.description)
                }
            }
        }
        try await run(
            options + ["clone", "--quiet", "--no-checkout", "--", source.url, repository.string], failure: "cannot clone \(source.url)")
        let resolved = repository.appending(".odcs-commit")
        do {
            try await ExternalCommand(
                [git, "-C", repository.string, "rev-parse", "--verify", "--quiet", "--end-of-options", "\(commit)^{commit}"], log: log,
                timeout: timeout, environment: environment
            ).run(standardOutputTo: resolved)
        } catch let error as RepoError {
            if case .commandFailed = error { throw GeneratorError("raw_config \(name): commit \(commit) does not exist in \(source.url).") }
            throw GeneratorError(error.description)
        }
        let sha = (try? String(contentsOfFile: resolved.string, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        try? FileManager.default.removeItem(atPath: resolved.string)
        guard sha.count >= 40, sha.allSatisfy(\.isHexDigit) else {
            throw GeneratorError("raw_config \(name): commit \(commit) does not exist in \(source.url).")
        }
        try await run(["-C", repository.string, "checkout", "--quiet", "--detach", sha], failure: "cannot check out \(sha)")
    }

    /// Upstream's `copytree`: every entry of `source` into `directory` (git's own data excepted).
    func copyContents(of source: FilePath, into directory: FilePath) throws {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: source.string) } catch {
            throw GeneratorError("raw_config \(name): \(self.source.path ?? ".") is not a directory at commit \(commit).")
        }
        for entry in entries.sorted() where entry != ".git" {
            let destination = directory.appending(entry)
            if FileManager.default.fileExists(atPath: destination.string) { try FileManager.default.removeItem(atPath: destination.string) }
            try FileManager.default.copyItem(atPath: source.appending(entry).string, toPath: destination.string)
        }
    }

    /// kobo's parser, in Python (it is Pungi's own dependency, so it is where Pungi is).
    static let parserScript = """
        import json, sys
        from kobo.conf import PyConfigParser
        mode, conf = sys.argv[1], sys.argv[2]
        parser = PyConfigParser()
        if mode == "merge":
            with open(sys.argv[3]) as f:
                result = json.load(f)
            parser.load_from_file(conf)
            result.update(parser)
        else:
            parser.load_from_file(conf)
            result = parser
        with open("pungi.json", "w") as f:
            f.write(json.dumps(result))
        """

    func parse(_ arguments: [String], directory: FilePath) async throws {
        do {
            try await ExternalCommand(
                [python, "-c", Self.parserScript] + arguments, log: log, timeout: timeout, workingDirectory: directory
            ).run()
        } catch let error as RepoError {
            switch error {
            case .commandFailed, .commandTimedOut:
                throw GeneratorError("raw_config \(name): cannot parse the Pungi configuration \(source.configFilename) (see \(log)).")
            default: throw GeneratorError(error.description)
            }
        }
    }

    /// The wrapper is a Jinja2 template over `compose` (the compose's JSON); the plain
    /// substitutions `{{ compose.<field> }}` are what is supported here.
    static func render(wrapper: String, compose: Compose, renderer: ComposeJSONRenderer?) throws -> String {
        guard wrapper.contains("{{") || wrapper.contains("{%") else { return wrapper }
        guard let renderer, case .object(let fields) = try? JSONValue.parse(renderer.render(compose)) else {
            throw GeneratorError("The raw_config wrapper is a template, but no compose JSON is available to render it.")
        }
        var output = ""
        var rest = Substring(wrapper)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw GeneratorError("The raw_config wrapper has an unclosed {{.")
            }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard expression.hasPrefix("compose."), let value = fields[String(expression.dropFirst(8))] else {
                throw GeneratorError("The raw_config wrapper uses {{ \(expression) }}; only {{ compose.<field> }} is supported.")
            }
            output += pythonString(value)
            rest = rest[close.upperBound...]
        }
        if rest.contains("{%") { throw GeneratorError("The raw_config wrapper uses {% %} statements, which are not supported.") }
        return output + rest
    }

    /// What Jinja2 prints for a JSON value (Python's `str`).
    static func pythonString(_ value: JSONValue) -> String {
        switch value {
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .string(let text): text
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .array, .object: value.pythonRepr
        }
    }
}
