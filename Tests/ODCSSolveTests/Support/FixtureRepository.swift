import Foundation

/// RPM files built from ``FixtureSpec``s in a fresh temporary directory, looked up by `name-version-release.arch`.
/// The directory goes away with the value.
final class FixtureRepository {
    let directory: URL
    /// Every built file, binary and source, by `name-version-release.arch`.
    let files: [String: String]

    /// Builds every spec (binary and source packages) with one rpmbuild run per target arch.
    init(_ specs: [FixtureSpec]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("odcs-solve-\(UUID().uuidString)")
        let specDirectory = directory.appendingPathComponent("specs")
        try FileManager.default.createDirectory(at: specDirectory, withIntermediateDirectories: true)
        var byTarget: [String: [String]] = [:]
        for spec in specs {
            let path = specDirectory.appendingPathComponent("\(spec.fileStem)-\(spec.arch).spec").path
            try spec.text.write(toFile: path, atomically: true, encoding: .utf8)
            byTarget[spec.arch == "noarch" ? "x86_64" : spec.arch, default: []].append(path)
        }
        for (target, paths) in byTarget.sorted(by: { $0.key < $1.key }) {
            let arguments = ["--define", "_topdir \(directory.path)/top", "--target", target, "-ba"] + paths
            try await CommandRunner.run("/usr/bin/rpmbuild", arguments, log: directory.appendingPathComponent("rpmbuild-\(target).log"))
        }
        var files: [String: String] = [:]
        let top = directory.appendingPathComponent("top")
        for folder in ["RPMS", "SRPMS"] {
            let root = top.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: root.path) else { continue }
            for case let relative as String in walker where relative.hasSuffix(".rpm") {
                let fileName = (relative as NSString).lastPathComponent
                files[String(fileName.dropLast(4))] = root.appendingPathComponent(relative).path
            }
        }
        self.files = files
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Paths of the named files (`name-version-release.arch`), in the order given.
    func paths(_ names: String...) throws -> [String] {
        try names.map { name in
            guard let path = files[name] else { throw MissingFixture(name: name, built: files.keys.sorted()) }
            return path
        }
    }

    /// Every binary RPM built, sorted by file name (source RPMs left out).
    var binaryPaths: [String] {
        files.filter { !$0.key.hasSuffix(".src") }.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Copies the named files into a directory and runs createrepo_c on it; returns the paths of the
    /// uncompressed primary.xml and filelists.xml.
    func metadata(for names: [String]) async throws -> (primary: String, filelists: String) {
        let repo = directory.appendingPathComponent("repo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        for name in names {
            let source = try paths(name)[0]
            try FileManager.default.copyItem(atPath: source, toPath: repo.appendingPathComponent("\(name).rpm").path)
        }
        let log = directory.appendingPathComponent("createrepo.log")
        try await CommandRunner.run("/usr/bin/createrepo_c", ["--no-database", repo.path], log: log)
        let repodata = repo.appendingPathComponent("repodata")
        let listing = try FileManager.default.contentsOfDirectory(atPath: repodata.path)
        func unpacked(_ kind: String) async throws -> String {
            guard let packed = listing.first(where: { $0.hasSuffix("-\(kind).xml.gz") }) else {
                throw MissingFixture(name: "\(kind).xml.gz", built: listing)
            }
            let target = repodata.appendingPathComponent("\(kind).xml").path
            let script = "gzip -dc '\(repodata.appendingPathComponent(packed).path)' > '\(target)'"
            try await CommandRunner.run("/bin/sh", ["-c", script], log: log)
            return target
        }
        return (try await unpacked("primary"), try await unpacked("filelists"))
    }

    struct MissingFixture: Error, CustomStringConvertible {
        let name: String
        let built: [String]
        var description: String { "no fixture \(name); built: \(built.joined(separator: ", "))" }
    }
}
