/// One package as a repository's `primary.xml` lists it.
public struct RepoPackage: Sendable, Hashable {
    public var name: String
    public var evr: RPMVersion
    public var arch: String
    /// `<location href>`: the file's path relative to the repository root (or to `base`).
    public var href: String
    /// `<location xml:base>`: set when the file lives elsewhere than the repository root.
    public var base: String?
    /// nil when the source gives none (Koji gives a payload hash instead).
    public var checksum: PackageChecksum?
    /// `<size package>`: the file's size in bytes; -1 when not known in advance (a signed
    /// copy on a Koji volume that is only reachable over HTTP).
    public var size: Int64
    /// `<rpm:sourcerpm>`: the source RPM's file name; empty or nil for a source RPM itself.
    public var sourceRPM: String?

    public init(
        name: String, evr: RPMVersion, arch: String, href: String, base: String? = nil, checksum: PackageChecksum?, size: Int64,
        sourceRPM: String? = nil
    ) {
        self.name = name
        self.evr = evr
        self.arch = arch
        self.href = href
        self.base = base
        self.checksum = checksum
        self.size = size
        self.sourceRPM = sourceRPM
    }

    /// `name-epoch:version-release.arch`, always with the epoch, as productmd writes it.
    public var nevra: String { "\(name)-\(evr.epoch):\(evr.version)-\(evr.release).\(arch)" }

    /// The file name, `name-version-release.arch.rpm` by convention.
    public var fileName: String { String(href.split(separator: "/").last ?? Substring(href)) }

    /// Source RPMs are listed with arch `src` (or `nosrc`).
    public var isSource: Bool { arch == "src" || arch == "nosrc" }

    /// Debug packages go to the `debug/tree` repository, as Pungi puts them.
    public var isDebug: Bool {
        name.hasSuffix("-debuginfo") || name.hasSuffix("-debugsource") || name.contains("-debuginfo-")
    }

    /// The NEVRA of the source RPM this package was built from, the grouping key of
    /// productmd's rpms.json. The source RPM shares the binary package's epoch.
    public var sourceNEVRA: String? {
        if isSource { return nevra }
        guard let sourceRPM, sourceRPM.hasSuffix(".src.rpm") else { return nil }
        let stem = sourceRPM.dropLast(".src.rpm".count)
        guard let releaseDash = stem.lastIndex(of: "-") else { return nil }
        let nameVersion = stem[..<releaseDash]
        guard let versionDash = nameVersion.lastIndex(of: "-") else { return nil }
        let name = nameVersion[..<versionDash]
        let version = nameVersion[nameVersion.index(after: versionDash)...]
        let release = stem[stem.index(after: releaseDash)...]
        return "\(name)-\(evr.epoch):\(version)-\(release).src"
    }
}
