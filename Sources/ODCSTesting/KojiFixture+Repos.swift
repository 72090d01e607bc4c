import Foundation
import ODCSKoji
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension KojiFixture {
    /// Koji's repository regeneration for `tag` (`newRepo`, then `repo_init` and createrepo per
    /// arch): records a repository at a new event and writes
    /// `repos/<tag>/<id>/<arch>/repodata/` over the tag's latest builds with inheritance at that
    /// event. As Koji does, an arch's repository holds the RPMs of that (canonical) arch and
    /// the noarch ones, and leaves debuginfo and source RPMs out; its packages are listed as
    /// `toplink/packages/…` through a link to the top dir.
    /// - Returns: the repository's id.
    @discardableResult
    public mutating func regenerateRepo(tag: String, arches: [String]) async throws -> Int64 {
        // Copies of one fixture's data share its volume: the repository takes the first id
        // whose directory it creates itself.
        let tagDirectory = topdir.appending("repos/\(tag)")
        try FileManager.default.createDirectory(atPath: tagDirectory.string, withIntermediateDirectories: true)
        var id = ((data.repos ?? []).map(\.id).max() ?? 0) + 1
        while mkdir(tagDirectory.appending("\(id)").string, 0o755) != 0 {
            guard errno == EEXIST else { throw FixtureRPMs.Failure(description: "cannot create \(tagDirectory)/\(id): errno \(errno)") }
            id += 1
        }
        let repo = data.addRepo(tag: tag, id: id)
        let tagged = data.taggedBuilds(tag: repo.tag, event: repo.createEvent, inherit: true, latest: true)
        let top = KojiPathInfo(top: "")
        for arch in Set(arches.map(KojiPathInfo.canonicalArch)).sorted() {
            let directory = FilePath(KojiPathInfo(top: topdir.string).repository(tag: tag, id: repo.id, arch: arch))
            try FileManager.default.createDirectory(atPath: directory.string, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: directory.appending("toplink").string, withDestinationPath: topdir.string)
            var lines: [String] = []
            for entry in tagged {
                let build = KojiBuild(
                    id: entry.build.id, name: entry.build.name, version: entry.build.version, release: entry.build.release,
                    epoch: entry.build.epoch)
                for rpm in data.rpms where rpm.build == entry.build.id {
                    guard rpm.arch == "noarch" || KojiPathInfo.canonicalArch(rpm.arch) == arch, !rpm.name.contains("-debuginfo"),
                        !rpm.name.hasSuffix("-debugsource")
                    else { continue }
                    let kojiRPM = KojiRPM(
                        id: rpm.id, buildID: build.id, name: rpm.name, version: build.version, release: build.release, arch: rpm.arch,
                        size: rpm.size, payloadhash: rpm.payloadhash)
                    lines.append("toplink" + top.buildDirectory(build) + "/" + KojiPathInfo.rpm(kojiRPM))
                }
            }
            let pkglist = directory.appending("pkglist")
            try (lines.joined(separator: "\n") + "\n").write(toFile: pkglist.string, atomically: true, encoding: .utf8)
            try await FixtureRPMs.run([
                "createrepo_c", "--quiet", "--no-database", "--workers", "2", "--pkglist", pkglist.string, directory.string,
            ])
        }
        return repo.id
    }
}
