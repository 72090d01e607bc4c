import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// A Pulp repository as ODCS uses it (upstream's `_make_repo_info`).
struct PulpRepository: Sendable, Equatable {
    var id: String
    /// `<pulp_server_url>/<notes.relative_url>`.
    var url: String
    var arches: Set<String>
    var sigkeys: [String]
}

/// Pulp 2's REST API (`<pulp_server_url>/pulp/api/v2/`) as upstream's `pulp.py` uses it:
/// the repositories of content sets (`repositories/search/`) and repositories by id.
/// Authenticates with a TLS client certificate (`pulp_ssl_cert`, `pulp_ssl_key`) and/or
/// HTTP basic credentials (`pulp_username`, `pulp_password`).
struct PulpClient: Sendable {
    var configuration: PulpGenerator.Configuration
    var httpClient: HTTPClient

    var restRoot: String {
        var server = configuration.serverURL
        while server.hasSuffix("/") { server.removeLast() }
        return server + "/pulp/api/v2/"
    }

    /// Runs `body` with a client that presents the configured certificate, shut down after.
    static func with<R: Sendable>(
        _ configuration: PulpGenerator.Configuration, shared: HTTPClient, _ body: (PulpClient) async throws -> R
    ) async throws -> R {
        guard let certificate = configuration.sslCertificate, let key = configuration.sslKey else {
            return try await body(PulpClient(configuration: configuration, httpClient: shared))
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        } catch {
            throw GeneratorError("Cannot read the Pulp client certificate \(certificate) or key \(key): \(error)")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            let result = try await body(PulpClient(configuration: configuration, httpClient: client))
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The repositories of each content set (published ones only unless `includeUnpublished`).
    func repositories(contentSets: [String], includeUnpublished: Bool) async throws -> [String: [PulpRepository]] {
        var filters: [String: Any] = ["notes.content_set": ["$in": contentSets]]
        if !includeUnpublished { filters["notes.include_in_download_service"] = "True" }
        let query: [String: Any] = ["criteria": ["filters": filters, "fields": ["notes", "id"]]]
        let body = try JSONSerialization.data(withJSONObject: query, options: [.sortedKeys])
        let (status, data) = try await send("repositories/search/", body: body)
        guard status == 200 else { throw GeneratorError("Pulp answered repositories/search/ with HTTP \(status).") }
        guard let repos = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
            throw GeneratorError("Pulp answered repositories/search/ with something that is not a list.")
        }
        var result: [String: [PulpRepository]] = [:]
        for case let raw as [String: Any] in repos {
            let contentSet = (raw["notes"] as? [String: Any])?["content_set"] as? String ?? ""
            result[contentSet, default: []].append(try repository(raw))
        }
        return result
    }

    /// The repository `id`, or nil when Pulp has none (404) or it is unpublished and
    /// `includeUnpublished` is off.
    func repository(id: String, includeUnpublished: Bool) async throws -> PulpRepository? {
        let path = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
        let (status, data) = try await send("repositories/\(path)/", body: nil)
        if status == 404 { return nil }
        guard status == 200 else { throw GeneratorError("Pulp answered repositories/\(id)/ with HTTP \(status).") }
        guard let raw = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GeneratorError("Pulp answered repositories/\(id)/ with something that is not a repository.")
        }
        let published = Self.truthy((raw["notes"] as? [String: Any])?["include_in_download_service"])
        return published || includeUnpublished ? try repository(raw) : nil
    }

    func repository(_ raw: [String: Any]) throws -> PulpRepository {
        guard let id = raw["id"] as? String, let notes = raw["notes"] as? [String: Any],
            let relativeURL = notes["relative_url"] as? String, let arch = notes["arch"] as? String
        else { throw GeneratorError("Pulp returned a repository without id, notes.relative_url and notes.arch.") }
        var server = configuration.serverURL
        while server.hasSuffix("/") { server.removeLast() }
        let signatures = notes["signatures"] as? String ?? ""
        return PulpRepository(
            id: id, url: server + "/" + relativeURL, arches: [arch],
            sigkeys: signatures.split(separator: ",", omittingEmptySubsequences: false).map(String.init).sorted())
    }

    /// Python truthiness of a JSON value (Pulp stores the flag as a string or a boolean).
    static func truthy(_ value: Any?) -> Bool {
        switch value {
        case let text as String: !text.isEmpty
        case let flag as Bool: flag
        case let number as Int: number != 0
        case let number as NSNumber: number.boolValue
        default: false
        }
    }

    /// A POST of `body` when given, else a GET.
    private func send(_ endpoint: String, body: Data?) async throws -> (UInt, Data) {
        var request = HTTPClientRequest(url: restRoot + endpoint)
        if let body {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        if let user = configuration.username {
            let credentials = Data("\(user):\(configuration.password ?? "")".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        }
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(max(1, configuration.timeout.components.seconds)))
            let data = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
            return (response.status.code, data)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw GeneratorError("Pulp connection has failed: \(error)")
        }
    }
}
