import Crypto
import Foundation
import ODCSKoji
import SystemPackage

extension KojiFixture {
    /// A module build as MBS imports it (`CGImport`): the build with its `extra.typeinfo.module`
    /// (`modulemd_str`, content tag), and its archives of type `module` written where Koji keeps
    /// them (`packages/<name>/<stream>/<version>.<context>/files/module/`): `modulemd.txt`, then
    /// with `perArch` one final `modulemd.<arch>.txt` per arch of the module and `modulemd.src.txt`.
    /// Without `perArch` the build is one of the old ones with a single modulemd file.
    @discardableResult
    public mutating func addModuleBuild(_ module: MBSTestServer.Module, perArch: Bool = true, tags: [String] = []) throws -> Int64 {
        let id = data.addModuleBuild(
            name: module.name, stream: module.stream, version: module.version, context: module.context, modulemd: module.modulemd,
            contentTag: module.kojiTag ?? "")
        let build = data.build(id: id)!
        let kojiBuild = KojiBuild(id: id, name: build.name, version: build.version, release: build.release)
        let directory = FilePath(KojiPathInfo(top: topdir.string).buildDirectory(kojiBuild)).appending("files/module")
        try FileManager.default.createDirectory(atPath: directory.string, withIntermediateDirectories: true)
        var files = [("modulemd.txt", module.modulemd)]
        if perArch { files += (module.arches + ["src"]).map { ("modulemd.\($0).txt", module.modulemd(arch: $0)) } }
        for (filename, text) in files {
            let bytes = Data(text.utf8)
            try bytes.write(to: URL(fileURLWithPath: directory.appending(filename).string))
            let checksum = Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            data.addArchive(build: id, filename: filename, btype: "module", size: Int64(bytes.count), checksum: checksum)
        }
        for tag in tags { data.tagBuild(id, into: tag) }
        return id
    }
}
