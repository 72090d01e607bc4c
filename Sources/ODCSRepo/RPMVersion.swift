/// An RPM epoch-version-release, ordered the way rpm orders them: epochs as numbers (a missing
/// epoch is 0), then version and release with `rpmvercmp`.
public struct RPMVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var epoch: Int
    public var version: String
    public var release: String

    public init(epoch: Int = 0, version: String, release: String) {
        self.epoch = epoch
        self.version = version
        self.release = release
    }

    /// `<epoch>:<version>-<release>`, the form productmd keys use.
    public var description: String { "\(epoch):\(version)-\(release)" }

    public static func < (lhs: RPMVersion, rhs: RPMVersion) -> Bool { compare(lhs, rhs) < 0 }

    /// `==` is rpm's equality, not string equality: `1.0` and `1.00` are the same version.
    public static func == (lhs: RPMVersion, rhs: RPMVersion) -> Bool { compare(lhs, rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
    }

    /// -1, 0 or 1, like rpm's `rpmVersionCompare`.
    public static func compare(_ lhs: RPMVersion, _ rhs: RPMVersion) -> Int {
        if lhs.epoch != rhs.epoch { return lhs.epoch < rhs.epoch ? -1 : 1 }
        let versions = rpmvercmp(lhs.version, rhs.version)
        if versions != 0 { return versions }
        return rpmvercmp(lhs.release, rhs.release)
    }
}
