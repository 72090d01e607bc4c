import Foundation
import ODCSCore
import ODCSRepo
import SystemPackage

extension RepoGenerator {
    /// The repositories `compose.source` names, refused unless each is an http(s) URL or an
    /// absolute path inside a configured local root.
    func repositoryLocations(of compose: Compose) throws -> [RepositoryLocation] {
        let sources = compose.source.split(separator: " ").map(String.init)
        guard !sources.isEmpty else { throw GeneratorError("No repository given in the compose source.") }
        return try sources.map { source in
            guard let location = RepositoryLocation(source) else {
                throw GeneratorError("Repository \(source) is neither an absolute path nor an http(s) URL.")
            }
            if case .directory(let path) = location { try checkLocal(path, named: source) }
            return location
        }
    }

    /// A local repository must be inside one of the configured roots, lexically and after
    /// resolving symlinks (a link inside a root cannot lead outside it). A path outside the
    /// roots is refused before anything is looked up, with the same message whether it
    /// exists or not, so that a compose cannot tell which server paths exist.
    func checkLocal(_ path: FilePath, named source: String) throws {
        let refused = GeneratorError("Repository \(source) is not inside an allowed local directory (repo_source_roots).")
        let lexical = path.lexicallyNormalized()
        let roots = configuration.localRoots.flatMap { root in [root.lexicallyNormalized()] + (Self.realPath(root).map { [$0] } ?? []) }
        guard roots.contains(where: { lexical.starts(with: $0) }) else { throw refused }
        guard let real = Self.realPath(path) else { throw GeneratorError("Repository \(source) does not exist.") }
        guard configuration.localRoots.contains(where: { root in Self.realPath(root).map { real.starts(with: $0) } ?? false }) else {
            throw refused
        }
    }

    /// A package's `xml:base` can point anywhere; local files must come from the allowed
    /// roots too.
    func checkLocalSources(of selection: PackageSelection) throws {
        for item in selection.items {
            if case .directory(let path) = try item.repository.resolve(item.package.href, base: item.package.base) {
                try checkLocal(path, named: "\(item.repository) (package \(item.package.fileName))")
            }
        }
    }

    /// The repositories' packages; with `keepingMetadata`, also their primary and filelists
    /// XML files for the dependency solver (read once, parsed from the kept file).
    func read(
        _ locations: [RepositoryLocation], keepingMetadata: Bool, workDirectory: FilePath
    ) async throws -> ([Repository], [RepositoryLocation: (primary: FilePath, filelists: FilePath?)]) {
        let timeout = configuration.assembly.metadataTimeout
        let client = httpClient
        typealias Read = (Int, Repository, (primary: FilePath, filelists: FilePath?)?)
        return try await withThrowingTaskGroup(of: Read.self) { group in
            for (index, location) in locations.enumerated() {
                let reader = RepositoryReader(
                    httpClient: client, workDirectory: workDirectory.appending("\(index)"), timeout: timeout)
                group.addTask {
                    guard keepingMetadata else { return (index, try await reader.read(location), nil) }
                    let files = try await reader.metadataFiles(of: location)
                    let index0 = try await reader.index(of: location)
                    do {
                        let packages = try PrimaryMetadata.packages(inFile: files.primary.string)
                        return (index, Repository(location: location, index: index0, packages: packages), files)
                    } catch let failure as RepoMetadataIndex.ParseFailure {
                        throw RepoError.repository(location: location.description, reason: failure.reason)
                    }
                }
            }
            var repositories = [Repository?](repeating: nil, count: locations.count)
            var metadata: [RepositoryLocation: (primary: FilePath, filelists: FilePath?)] = [:]
            for try await (index, repository, files) in group {
                repositories[index] = repository
                if let files { metadata[repository.location] = files }
            }
            return (repositories.map { $0! }, metadata)
        }
    }

    func lookasideLocations(of compose: Compose) throws -> [RepositoryLocation] {
        try (compose.lookasideRepos ?? "").split(separator: " ").map { text in
            guard let location = RepositoryLocation(String(text)) else {
                throw GeneratorError("Lookaside repository \(text) is neither an absolute path nor an http(s) URL.")
            }
            if case .directory(let path) = location { try checkLocal(path, named: String(text)) }
            return location
        }
    }

    static func realPath(_ path: FilePath) -> FilePath? {
        guard let resolved = realpath(path.string, nil) else { return nil }
        defer { free(resolved) }
        return FilePath(String(cString: resolved))
    }
}
