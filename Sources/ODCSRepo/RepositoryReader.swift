import AsyncHTTPClient
import Foundation
import SystemPackage

/// Reads an RPM repository, a local directory or an http(s) URL, into its package list:
/// `repodata/repomd.xml` gives the revision and where primary metadata is; primary is fetched
/// (over HTTP, checked against repomd's checksum), decompressed by `gzip`, `xz`, `zstd` or
/// `bzip2` through `ExternalCommand`, and parsed while streaming.
///
///     let reader = RepositoryReader(workDirectory: staging.appending("work/global"))
///     let repository = try await reader.read(.directory("/srv/repos/el9"))
///
/// Temporary files go in `workDirectory` (created if missing) and are removed once parsed;
/// the decompression logs stay there.
public struct RepositoryReader: Sendable {
    public var httpClient: HTTPClient
    public var workDirectory: FilePath
    /// For each download and each decompression.
    public var timeout: Duration

    /// repomd.xml is a few kilobytes; anything this large is not one.
    static let repomdLimit = 16 << 20

    public init(httpClient: HTTPClient = .shared, workDirectory: FilePath, timeout: Duration = .seconds(600)) {
        self.httpClient = httpClient
        self.workDirectory = workDirectory
        self.timeout = timeout
    }

    /// Only repomd.xml: enough for `resolve`, which must not write anything.
    public func index(of location: RepositoryLocation) async throws -> RepoMetadataIndex {
        let data = try await contents(of: location.resolve("repodata/repomd.xml"), in: location)
        do {
            return try RepoMetadataIndex(parsing: data)
        } catch {
            throw RepoError.repository(location: location.description, reason: error.reason)
        }
    }

    public func read(_ location: RepositoryLocation) async throws -> Repository {
        let index = try await index(of: location)
        guard let primary = index.entries["primary"] else {
            throw RepoError.repository(location: location.description, reason: "repomd.xml lists no primary metadata")
        }
        try makeWorkDirectory(for: location)
        let unique = "primary-\(UInt32.random(in: 0...UInt32.max))"
        var temporaries: [FilePath] = []
        defer {
            for file in temporaries { try? FileManager.default.removeItem(atPath: file.string) }
        }

        let compressed: FilePath
        switch location.resolve(primary.href) {
        case .directory(let path):
            compressed = path
        case .url(let url):
            compressed = workDirectory.appending("\(unique)-\(primary.href.split(separator: "/").last ?? "primary")")
            temporaries.append(compressed)
            do {
                try await HTTPDownloader(client: httpClient, timeout: timeout).download(
                    from: url, to: compressed, expectedSize: nil, checksum: primary.checksum)
            } catch let failure as HTTPDownloader.Failure {
                throw RepoError.repository(location: location.description, reason: failure.reason)
            }
        }

        let xml: FilePath
        if let decompressor = Self.decompressor(for: primary.href) {
            xml = workDirectory.appending("\(unique).xml")
            temporaries.append(xml)
            let command = ExternalCommand(
                decompressor + [compressed.string], log: workDirectory.appending("\(unique).log"), timeout: timeout)
            try await command.run(standardOutputTo: xml)
            try? FileManager.default.removeItem(atPath: command.log.string)
        } else {
            xml = compressed
        }

        do {
            let packages = try PrimaryMetadata.packages(inFile: xml.string)
            return Repository(location: location, index: index, packages: packages)
        } catch {
            throw RepoError.repository(location: location.description, reason: error.reason)
        }
    }

    /// The argv that writes the decompressed file to stdout, by the extension createrepo_c
    /// gives it; nil for uncompressed XML.
    static func decompressor(for href: String) -> [String]? {
        if href.hasSuffix(".gz") { return ["gzip", "-dc"] }
        if href.hasSuffix(".xz") { return ["xz", "-dc"] }
        if href.hasSuffix(".zst") || href.hasSuffix(".zstd") { return ["zstd", "-dcq"] }
        if href.hasSuffix(".bz2") { return ["bzip2", "-dc"] }
        return nil
    }

    private func contents(of file: RepositoryLocation, in location: RepositoryLocation) async throws -> Data {
        switch file {
        case .directory(let path):
            guard let data = FileManager.default.contents(atPath: path.string) else {
                throw RepoError.repository(location: location.description, reason: "cannot read \(path)")
            }
            return data
        case .url(let url):
            do {
                return try await HTTPDownloader(client: httpClient, timeout: timeout).data(from: url, limit: Self.repomdLimit)
            } catch let failure as HTTPDownloader.Failure {
                throw RepoError.repository(location: location.description, reason: failure.reason)
            }
        }
    }

    private func makeWorkDirectory(for location: RepositoryLocation) throws {
        do {
            try FileManager.default.createDirectory(atPath: workDirectory.string, withIntermediateDirectories: true)
        } catch {
            throw RepoError.repository(location: location.description, reason: "cannot create \(workDirectory): \(error)")
        }
    }
}
