import AsyncHTTPClient
import Foundation
import ODCSKoji
import ODCSVolume
import SystemPackage

extension KojiGenerator {
    /// The module build of `nsvc` in Koji (`getBuild("N-S-V.C")`, the stream's `-` as `_`, as
    /// MBS imports it), with its `extra.typeinfo.module`; the failure is Pungi's.
    func moduleBuild(_ nsvc: String) async throws -> KojiBuild {
        let parts = nsvc.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4 else { throw GeneratorError("Module \(nsvc) does not in N:S:V:C format") }
        let nvr = "\(parts[0])-\(parts[1].replacingOccurrences(of: "-", with: "_"))-\(parts[2]).\(parts[3])"
        guard let build = try await koji.getBuild(nvr), build.module != nil else {
            throw GeneratorError("No module build found for '\(nsvc)' (queried for '\(nvr)')")
        }
        return build
    }

    /// Pungi's `_add_module_to_variant`: the module build's archives of type `module`
    /// (`listArchives`), `modulemd.<arch>.txt` keyed by base arch, read from `koji_topdir` (or
    /// `koji_topurl`) under the build's `files/module/`. nil when the build has at most one
    /// such file (an old build without per-arch modulemd, which Pungi skips); a compose arch
    /// without its file fails with Pungi's message.
    func archModule(_ build: KojiBuild, arches: [String]) async throws -> ArchModule? {
        guard let module = build.module else { throw GeneratorError("Koji build \(build.nvr) is not a module build with a modulemd.") }
        var files: [String: KojiArchive] = [:]
        for archive in try await koji.listArchives(buildID: build.id, type: "module") where archive.btype == "module" {
            // A file name from Koji becomes a path: only a plain name is taken.
            guard ConfinedPath.isPlainName(archive.filename) else { continue }
            let parts = archive.filename.split(separator: ".", omittingEmptySubsequences: false)
            // MBS names the files after Koji's arches; Pungi looks them up by base arch.
            let key = parts.count == 3 ? "modulemd.\(Self.baseArch(String(parts[1]))).txt" : archive.filename
            files[key] = archive
        }
        guard files.count > 1 else { return nil }
        var documents: [String: String] = [:]
        for arch in arches {
            guard let archive = files["modulemd.\(arch).txt"] else {
                throw GeneratorError(
                    "Module \(module.nsvc) does not have metadata for arch \(arch) and is not filtered out via filter_modules option.")
            }
            documents[arch] = try await archiveText(archive, of: build)
        }
        return try ArchModule(nsvc: module.nsvc, kojiTag: module.contentTag, documents: documents)
    }

    /// The archive's text, from the Koji volume or its web root.
    func archiveText(_ archive: KojiArchive, of build: KojiBuild) async throws -> String {
        let limit = 64 << 20
        if let topdir = configuration.topdir {
            let path = FilePath(KojiPathInfo(top: topdir.string).buildDirectory(build)).appending(KojiPathInfo.archive(archive))
            guard let data = FileManager.default.contents(atPath: path.string), data.count <= limit,
                let text = String(data: data, encoding: .utf8)
            else { throw GeneratorError("Cannot read \(archive.filename) of the Koji build \(build.nvr) under koji_topdir.") }
            return text
        }
        guard let topurl = configuration.topurl else {
            throw GeneratorError("Neither koji_topdir nor koji_topurl is configured: this node cannot read Koji's files.")
        }
        let url = KojiPathInfo(top: topurl).buildDirectory(build) + "/" + KojiPathInfo.archive(archive)
        do {
            let response = try await httpClient.execute(
                HTTPClientRequest(url: url), timeout: .seconds(max(1, configuration.assembly.metadataTimeout.components.seconds)))
            guard response.status.code == 200 else { throw GeneratorError("HTTP \(response.status.code)") }
            let body = try await response.body.collect(upTo: limit)
            return String(decoding: body.readableBytesView, as: UTF8.self)
        } catch {
            throw GeneratorError("Cannot download \(archive.filename) of the Koji build \(build.nvr): \(error)")
        }
    }

    /// Pungi's `getBaseArch` for the arches MBS names files after.
    static func baseArch(_ arch: String) -> String {
        switch arch {
        case "i386", "i486", "i586", "i686", "athlon", "geode": "i386"
        case "armv6hl", "armv7hl", "armv7hnl": "armhfp"
        default: arch
        }
    }
}
