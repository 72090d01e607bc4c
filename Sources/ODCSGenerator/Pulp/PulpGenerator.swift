import AsyncHTTPClient
import Foundation
import Logging
import ODCSCore
import ODCSRepo
import SystemPackage

/// The `pulp` source type (upstream's `generate_pulp_compose`): no packages, only a `.repo`
/// file pointing at the Pulp repositories of the requested content sets (or repository ids).
/// Never reused. The compose's `arches` and `sigkeys` become the union of the repositories',
/// and with `ignore_absent_pulp_repos` its `source` becomes what was found.
public struct PulpGenerator: ComposeGenerator {
    public struct Configuration: Sendable {
        /// `pulp_server_url`: the Pulp server, whose REST API is under `/pulp/api/v2/`.
        public var serverURL: String
        public var username: String?
        public var password: String?
        /// PEM files of the TLS client certificate and its key.
        public var sslCertificate: String?
        public var sslKey: String?
        /// For one Pulp request.
        public var timeout: Duration
        /// `allowed_arches`: the arches of the empty repository written when nothing matched.
        public var emptyRepositoryArches: [String]
        public var createrepoTimeout: Duration

        public init(
            serverURL: String, username: String? = nil, password: String? = nil, sslCertificate: String? = nil, sslKey: String? = nil,
            timeout: Duration = .seconds(120), emptyRepositoryArches: [String] = ["x86_64"], createrepoTimeout: Duration = .seconds(600)
        ) {
            self.serverURL = serverURL
            self.username = username
            self.password = password
            self.sslCertificate = sslCertificate
            self.sslKey = sslKey
            self.timeout = timeout
            self.emptyRepositoryArches = emptyRepositoryArches
            self.createrepoTimeout = createrepoTimeout
        }
    }

    public var configuration: Configuration
    public var httpClient: HTTPClient

    public init(configuration: Configuration, httpClient: HTTPClient = .shared) {
        self.configuration = configuration
        self.httpClient = httpClient
    }

    public func generate(_ context: GenerationContext) async throws -> GenerationResult {
        let layout = try ComposeLayout(staging: context.staging, name: context.name, logName: "odcs-pulp")
        return try await layout.run(context) { log in try await run(context, layout: layout, log: log) }
    }

    private func run(_ context: GenerationContext, layout: ComposeLayout, log: StepLog) async throws -> GenerationResult {
        guard !configuration.serverURL.isEmpty else { throw GeneratorError("pulp_server_url is not configured on this ODCS.") }
        let compose = context.compose
        let sources = compose.source.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let includeUnpublished = compose.flags.contains(.includeUnpublishedPulpRepos)
        let (bySet, direct, source) = try await PulpClient.with(configuration, shared: httpClient) { pulp in
            let bySet = try await pulp.repositories(contentSets: sources, includeUnpublished: includeUnpublished)
            var remaining = Set(sources).subtracting(bySet.keys)
            remaining.remove("")
            var direct: [String: PulpRepository] = [:]
            for id in remaining.sorted() {
                if let repository = try await pulp.repository(id: id, includeUnpublished: includeUnpublished) {
                    direct[id] = repository
                } else {
                    log.info("Cannot find Pulp repository \(id)")
                }
            }
            remaining.subtract(direct.keys)
            var source: String?
            if !remaining.isEmpty {
                let found = Set(sources).subtracting(remaining).sorted()
                let message =
                    "Failed to find all the source(s) \(PythonRepr.list(sources)) in Pulp, found only \(PythonRepr.list(found))"
                guard compose.flags.contains(.ignoreAbsentPulpRepos) else { throw GeneratorError(message) }
                log.info(message)
                source = found.joined(separator: " ")
            }
            return (bySet, direct, source)
        }

        var repositories = bySet.values.flatMap { $0 }
        let used = Set(repositories.map(\.id))
        repositories += direct.values.filter { !used.contains($0.id) }
        let compatible = compose.flags.contains(.useOnlyCompatibleArch)
        var text = ""
        var arches = Set<String>()
        var sigkeys = Set<String>()
        for repository in repositories.sorted(by: { $0.id < $1.id }) {
            let url =
                compatible
                ? repository.url.replacingOccurrences(of: repository.arches.sorted().joined(), with: "$basearch") : repository.url
            text += "\n[\(repository.id)]\nname=\(repository.id)\nbaseurl=\(url)\nenabled=1\ngpgcheck=0\n"
            if compatible { text += "skip_if_unavailable=1\n" }
            arches.formUnion(repository.arches)
            sigkeys.formUnion(repository.sigkeys)
        }
        if repositories.isEmpty {
            // Upstream's write_empty_repo: an empty repository per allowed arch, and the
            // default single section pointing at it.
            log.info("No Pulp repository matched: writing an empty repository")
            arches = Set(configuration.emptyRepositoryArches)
            for arch in configuration.emptyRepositoryArches {
                let tree = try layout.tree(.os(arch: arch))
                try FileManager.default.createDirectory(atPath: tree.string, withIntermediateDirectories: true)
                try FileManager.default.createDirectory(
                    atPath: try layout.createrepoLog(.os(arch: arch)).removingLastComponent().string, withIntermediateDirectories: true)
                try await CreateRepo(timeout: configuration.createrepoTimeout).run(
                    in: tree, log: try layout.createrepoLog(.os(arch: arch)))
            }
            let resultRepoURL =
                context.targetDirURL.isEmpty ? "" : "\(context.targetDirURL)/\(context.name)/compose/\(ComposeLayout.variant)"
            text = RepoFile(name: context.name, resultRepoURL: resultRepoURL).sections[0].text
        }
        try layout.write(text, to: try layout.repoFile)
        log.info("Wrote \(try layout.repoFile.lastComponent?.string ?? "") with \(repositories.count) Pulp repositories")
        var result = GenerationResult()
        result.source = source
        result.arches = arches.sorted().joined(separator: " ")
        result.sigkeys = sigkeys.sorted().joined(separator: " ")
        return result
    }
}

/// Python's `repr` of a list of strings, for messages that quote upstream's.
enum PythonRepr {
    static func list(_ items: [String]) -> String {
        "[" + items.map(string).joined(separator: ", ") + "]"
    }

    static func string(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case quote: escaped += "\\\(quote)"
            default: escaped.append(character)
            }
        }
        return "\(quote)\(escaped)\(quote)"
    }
}
