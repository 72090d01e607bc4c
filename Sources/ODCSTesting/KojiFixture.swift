import Foundation
import ODCSKoji
import ODCSRepo
import Subprocess
import SystemPackage

/// A Koji volume for tests: real RPMs built with `rpmbuild` from `FixturePackage` specs, laid
/// out under `topdir` the way Koji's PathInfo does, signed copies made with `rpmsign`, and the
/// matching `KojiHubData` for a `KojiTestHub`.
///
///     var koji = try KojiFixture(topdir: dir.appending("koji"))
///     koji.data.addTag("rig-base")
///     let bar = try await koji.addBuild(FixturePackage("bar", version: "2.0", provides: ["libbar"]), tags: ["rig-base"])
///     try await koji.sign(bar, with: try await FixtureSigner.make(in: dir.appending("gnupg")))
public struct KojiFixture: Sendable {
    public var topdir: FilePath
    public var data: KojiHubData

    public init(topdir: FilePath, data: KojiHubData = KojiHubData()) throws {
        self.topdir = topdir
        self.data = data
        try FileManager.default.createDirectory(atPath: topdir.string, withIntermediateDirectories: true)
    }

    /// Builds the spec for each arch (default: the package's own), imports the binary RPMs of
    /// every arch and one source RPM as one Koji build, and tags it into `tags` (one event each).
    @discardableResult
    public mutating func addBuild(_ package: FixturePackage, arches: [String]? = nil, tags: [String] = []) async throws -> Int64 {
        let scratch = topdir.appending(".build-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(atPath: scratch.string) }
        var files: [FilePath] = []
        for arch in arches ?? [package.arch] {
            var variant = package
            variant.arch = arch
            files += try await FixtureRPMs.build([variant], into: scratch)
        }
        let pathInfo = KojiPathInfo(top: topdir.string)
        let build = KojiBuild(
            id: 0, name: package.name, version: package.version, release: package.release, epoch: package.epoch.map(Int64.init))
        let buildDirectory = FilePath(pathInfo.buildDirectory(build))
        var rpms: [(name: String, arch: String, size: Int64, payloadhash: String)] = []
        var seen = Set<String>()
        for file in files {
            let fileName = file.lastComponent!.string
            guard seen.insert(fileName).inserted else { continue }  // one SRPM per build
            let stem = fileName.dropLast(".rpm".count)
            let arch = String(stem.split(separator: ".").last!)
            let nameVersionRelease = stem.dropLast(arch.count + 1)
            let name = String(nameVersionRelease.dropLast("-\(package.version)-\(package.release)".count))
            let destination = buildDirectory.appending("\(arch)/\(fileName)")
            try FileManager.default.createDirectory(
                atPath: destination.removingLastComponent().string, withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: file.string, toPath: destination.string)
            let size = try FileManager.default.attributesOfItem(atPath: destination.string)[.size] as? Int64 ?? 0
            let header = try RPMSignatureHeader(file: destination)
            rpms.append((name, arch, size, header.payloadMD5 ?? ""))
        }
        let id = data.addBuild(
            name: package.name, version: package.version, release: package.release, epoch: package.epoch.map(Int64.init), rpms: rpms)
        for tag in tags { data.tagBuild(id, into: tag) }
        return id
    }

    /// Writes a copy of each of the build's RPMs signed by `signer` to
    /// `data/signed/<sigkey>/<arch>/` and records the signatures (Koji's `writeSignedRPM`).
    /// `only` limits it to RPMs of those names.
    public mutating func sign(_ buildID: Int64, with signer: FixtureSigner, only names: Set<String>? = nil) async throws {
        let build = data.build(id: buildID)!
        let pathInfo = KojiPathInfo(top: topdir.string)
        let kojiBuild = KojiBuild(id: build.id, name: build.name, version: build.version, release: build.release, epoch: build.epoch)
        let directory = FilePath(pathInfo.buildDirectory(kojiBuild))
        for rpm in data.rpms where rpm.build == buildID && (names?.contains(rpm.name) ?? true) {
            let kojiRPM = KojiRPM(
                id: rpm.id, buildID: buildID, name: rpm.name, version: build.version, release: build.release, arch: rpm.arch,
                size: rpm.size, payloadhash: rpm.payloadhash)
            let source = directory.appending(KojiPathInfo.rpm(kojiRPM))
            let signed = directory.appending(KojiPathInfo.signed(kojiRPM, sigkey: signer.sigkey))
            try FileManager.default.createDirectory(atPath: signed.removingLastComponent().string, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: signed.string)
            try FileManager.default.copyItem(atPath: source.string, toPath: signed.string)
            try await signer.sign(signed)
            data.addSignature(rpm: rpm.id, sigkey: signer.sigkey)
        }
    }
}

/// A throw-away GnuPG key and `rpmsign` with it, non-interactively.
public struct FixtureSigner: Sendable {
    public var home: FilePath
    /// Koji's short key id: the last 8 hex digits of the key id, lower-case.
    public var sigkey: String
    static let userID = "ODCS Fixture Signer <fixture@odcs.invalid>"

    public static func make(in home: FilePath) async throws -> FixtureSigner {
        try FileManager.default.createDirectory(
            atPath: home.string, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let environment = Environment.inherit.updating(["GNUPGHOME": home.string])
        try await run(
            ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", userID, "rsa2048", "sign", "never"], environment: environment)
        let listing = try await run(["gpg", "--batch", "--with-colons", "--list-keys"], environment: environment)
        guard let pub = listing.split(separator: "\n").first(where: { $0.hasPrefix("pub:") }) else {
            throw FixtureRPMs.Failure(description: "gpg listed no key in \(home)")
        }
        let keyID = String(pub.split(separator: ":", omittingEmptySubsequences: false)[4])
        return FixtureSigner(home: home, sigkey: String(keyID.suffix(8)).lowercased())
    }

    public func sign(_ file: FilePath) async throws {
        try await Self.run(
            [
                "rpmsign", "--addsign", "--define", "_gpg_name \(Self.userID)", "--define", "__gpg /usr/bin/gpg", "--define",
                "_gpg_path \(home.string)", "--define",
                "_gpg_sign_cmd_extra_args --batch --pinentry-mode loopback --passphrase ''", file.string,
            ], environment: .inherit.updating(["GNUPGHOME": home.string]))
    }

    @discardableResult
    static func run(_ arguments: [String], environment: Environment) async throws -> String {
        let result = try await Subprocess.run(
            .name(arguments[0]), arguments: Arguments(Array(arguments.dropFirst())), environment: environment,
            output: .string(limit: 1 << 20), error: .combinedWithOutput)
        guard result.terminationStatus.isSuccess else {
            throw FixtureRPMs.Failure(
                description: "\(arguments.joined(separator: " ")) \(result.terminationStatus): \(result.standardOutput)")
        }
        return result.standardOutput
    }
}
