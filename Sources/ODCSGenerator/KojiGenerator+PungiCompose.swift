import AsyncHTTPClient
import Foundation
import NIOCore
import ODCSCore

extension KojiGenerator {
    /// rpms.json of a real compose is a few MB; this leaves room for very large ones.
    static let rpmsJSONLimit = 256 << 20

    /// Upstream's `pungi_compose` resolution: `source` is the URL of a variant directory of
    /// another compose (`…/compose/Server`); its `…/compose/metadata/rpms.json` gives the
    /// compose's `builds` (the source RPMs' NVRs), `packages` (every binary and debug RPM
    /// name), `arches` and `sigkeys` (the keys used; an unsigned RPM adds a trailing space,
    /// which means unsigned allowed).
    func resolvePungiCompose(_ compose: Compose) async throws -> Compose {
        var url = compose.source
        while url.hasSuffix("/") { url.removeLast() }
        guard let slash = url.lastIndex(of: "/"), url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://")
        else { throw GeneratorError("Pungi compose source \(compose.source) is not the http(s) URL of a compose variant.") }
        let variant = String(url[url.index(after: slash)...])
        let metadataURL = "\(url[..<slash])/metadata/rpms.json"
        let data = try await fetch(metadataURL)
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let payload = document["payload"] as? [String: Any], let rpms = payload["rpms"] as? [String: Any]
        else { throw GeneratorError("\(metadataURL) is not productmd rpms metadata.") }
        guard let byArch = rpms[variant] as? [String: [String: [String: [String: Any]]]] else {
            throw GeneratorError("Variant \(variant) not found in \(metadataURL).")
        }
        var builds = Set<String>()
        var packages = Set<String>()
        var sigkeys = Set<String>()
        var unsigned = false
        for (_, bySource) in byArch {
            for (source, files) in bySource {
                builds.insert(Self.nvr(ofNEVRA: source))
                for (nevra, info) in files {
                    if let key = info["sigkey"] as? String { sigkeys.insert(key) } else { unsigned = true }
                    if (info["category"] as? String) != "source" { packages.insert(Self.name(ofNEVRA: nevra)) }
                }
            }
        }
        var resolved = compose
        resolved.builds = builds.sorted().joined(separator: " ")
        resolved.packages = packages.sorted().joined(separator: " ")
        resolved.arches = byArch.keys.sorted().joined(separator: " ")
        resolved.sigkeys = sigkeys.sorted().joined(separator: " ") + (unsigned ? " " : "")
        return resolved
    }

    /// `name-epoch:version-release.arch` → `name-version-release`.
    static func nvr(ofNEVRA nevra: String) -> String {
        guard let dot = nevra.lastIndex(of: ".") else { return nevra }
        let nevr = nevra[..<dot]
        guard let colon = nevr.lastIndex(of: ":"), let dash = nevr[..<colon].lastIndex(of: "-") else { return String(nevr) }
        return String(nevr[..<dash]) + "-" + String(nevr[nevr.index(after: colon)...])
    }

    /// `name-epoch:version-release.arch` → `name`.
    static func name(ofNEVRA nevra: String) -> String {
        let nvr = nvr(ofNEVRA: nevra)
        var parts = nvr.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nvr }
        parts.removeLast(2)
        return parts.joined(separator: "-")
    }

    private func fetch(_ url: String) async throws -> Data {
        let timeout = configuration.assembly.metadataTimeout.components
        do {
            let response = try await httpClient.execute(
                HTTPClientRequest(url: url), timeout: .seconds(max(1, timeout.seconds)))
            guard response.status.code == 200 else { throw GeneratorError("GET \(url) returned HTTP \(response.status.code).") }
            let body = try await response.body.collect(upTo: Self.rpmsJSONLimit)
            return Data(body.readableBytesView)
        } catch let error as GeneratorError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw GeneratorError("GET \(url) failed: \(error)")
        }
    }
}
