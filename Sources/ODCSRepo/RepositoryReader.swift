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
        let data = try await contents(of: try location.resolve("repodata/repomd.xml"), in: location)
        do {
            return try RepoMetadataIndex(parsing: data)
        } catch {
            throw RepoError.repository(location: location.description, reason: error.reason)
        }
    }

    public func read(_ location: RepositoryLocation) async throws -> Repository {
        let index = try await index(of: location)
        let xml = try await decompressed("primary", of: location, index: index, temporary: true)
        defer { try? FileManager.default.removeItem(atPath: xml.string) }
        do {
            let packages = try PrimaryMetadata.packages(inFile: xml.string)
            return Repository(location: location, index: index, packages: packages)
        } catch {
            throw RepoError.repository(location: location.description, reason: error.reason)
        }
    }

    /// The repository's primary and (when it has one) filelists metadata as uncompressed XML
    /// files kept in `workDirectory`, for a dependency solver to read.
    public func metadataFiles(of location: RepositoryLocation) async throws -> (primary: FilePath, filelists: FilePath?) {
        let index = try await index(of: location)
        let primary = try await decompressed("primary", of: location, index: index, temporary: false)
        let filelists =
            index.entries["filelists"] == nil
            ? nil : try await decompressed("filelists", of: location, index: index, temporary: false)
        return (primary, filelists)
    }

    /// Fetches (over HTTP, checked against repomd's checksum) and decompresses one metadata
    /// file into `workDirectory`. A `temporary` one has a unique name; the caller removes it.
    private func decompressed(
        _ type: String, of location: RepositoryLocation, index: RepoMetadataIndex, temporary: Bool
    ) async throws -> FilePath {
        guard let entry = index.entries[type] else {
            throw RepoError.repository(location: location.description, reason: "repomd.xml lists no \(type) metadata")
        }
        try makeWorkDirectory(for: location)
        let unique = temporary ? "\(type)-\(UInt32.random(in: 0...UInt32.max))" : type
        var download: FilePath?
        defer {
            if let download { try? FileManager.default.removeItem(atPath: download.string) }
        }
        let compressed: FilePath
        switch try location.resolve(entry.href) {
        case .directory(let path):
            compressed = path
        case .url(let url):
            compressed = workDirectory.appending("\(unique)-\(entry.href.split(separator: "/").last ?? "metadata")")
            download = compressed
            do {
                try await HTTPDownloader(client: httpClient, timeout: timeout).download(
                    from: url, to: compressed, expectedSize: nil, checksum: entry.checksum)
            } catch let failure as HTTPDownloader.Failure {
                throw RepoError.repository(location: location.description, reason: failure.reason)
            }
        }
        let xml = workDirectory.appending("\(unique).xml")
        if let decompressor = Self.decompressor(for: entry.href) {
            let command = ExternalCommand(
                decompressor + [compressed.string], log: workDirectory.appending("\(unique).log"), timeout: timeout)
            try await command.run(standardOutputTo: xml)
            try? FileManager.default.removeItem(atPath: command.log.string)
        } else if download != nil {
            guard rename(compressed.string, xml.string) == 0 else {
                throw RepoError.repository(location: location.description, reason: "cannot rename \(compressed) to \(xml)")
            }
            download = nil
        } else {
            do {
                try? FileManager.default.removeItem(atPath: xml.string)
                try FileManager.default.copyItem(atPath: compressed.string, toPath: xml.string)
            } catch {
                throw RepoError.repository(location: location.description, reason: "cannot copy \(compressed): \(error)")
            }
        }
        return xml
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
