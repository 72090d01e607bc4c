import Foundation
import Subprocess
import SystemPackage

/// Builds small real RPMs with `rpmbuild` and makes repositories of them with
/// `createrepo_c`, for tests that read, fetch or compose packages.
///
///     let rpms = try await FixtureRPMs.repository(at: dir.appending("repo"), packages: [
///         FixturePackage("foo", arch: "x86_64", requires: ["libbar"], subpackages: ["devel"]),
///         FixturePackage("bar", provides: ["libbar"]),
///     ])
///
/// A noarch package builds in about 0.1 s, an arch one in about 0.5 s (rpm's brp scripts).
public enum FixtureRPMs {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Builds every package (binary and source RPMs) into `directory` (created if missing)
    /// and returns the files, binary RPMs then source RPMs of each spec.
    public static func build(_ packages: [FixturePackage], into directory: FilePath) async throws -> [FilePath] {
        let files = FileManager.default
        try files.createDirectory(atPath: directory.string, withIntermediateDirectories: true)
        let topdir = directory.appending(".rpmbuild-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? files.removeItem(atPath: topdir.string) }
        var built: [FilePath] = []
        for (index, package) in packages.enumerated() {
            let top = topdir.appending("\(index)")
            try files.createDirectory(atPath: top.string, withIntermediateDirectories: true)
            let spec = top.appending("\(package.name).spec")
            try package.spec.write(toFile: spec.string, atomically: true, encoding: .utf8)
            let target = package.arch == "noarch" ? [] : ["--target", package.arch]
            try await run(["rpmbuild", "--quiet"] + target + ["--define", "_topdir \(top.string)", "-ba", spec.string])
            for subdirectory in ["RPMS", "SRPMS"] {
                for rpm in try rpms(under: top.appending(subdirectory)) {
                    let destination = directory.appending(rpm.lastComponent!.string)
                    try? files.removeItem(atPath: destination.string)
                    try files.moveItem(atPath: rpm.string, toPath: destination.string)
                    built.append(destination)
                }
            }
        }
        return built
    }

    /// Builds the packages into `directory` and runs `createrepo_c` there (with `--revision`
    /// when given), so that `directory` is a repository. Returns the RPM files.
    @discardableResult
    public static func repository(at directory: FilePath, packages: [FixturePackage], revision: String? = nil) async throws
        -> [FilePath]
    {
        let built = try await build(packages, into: directory)
        try await createRepository(at: directory, revision: revision)
        return built
    }

    /// `createrepo_c` over whatever RPMs `directory` holds.
    public static func createRepository(at directory: FilePath, revision: String? = nil) async throws {
        var arguments = ["createrepo_c", "--quiet", "--no-database", directory.string]
        if let revision { arguments.append("--revision=\(revision)") }
        try await run(arguments)
    }

    private static func rpms(under directory: FilePath) throws -> [FilePath] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.string) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".rpm") }.sorted().map { directory.appending($0) }
    }

    static func run(_ arguments: [String]) async throws {
        let result = try await Subprocess.run(
            .name(arguments[0]), arguments: Arguments(Array(arguments.dropFirst())), output: .string(limit: 1 << 20),
            error: .combinedWithOutput)
        guard result.terminationStatus.isSuccess else {
            throw Failure(description: "\(arguments.joined(separator: " ")) \(result.terminationStatus): \(result.standardOutput)")
        }
    }
}
