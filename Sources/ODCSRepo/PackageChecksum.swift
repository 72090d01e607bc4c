/// A checksum as repository metadata gives it: a type (`sha256`, `sha1`, `sha512`, …) and
/// a lower-case hex digest.
public struct PackageChecksum: Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var value: String

    public init(type: String, value: String) {
        self.type = type.lowercased()
        self.value = value.lowercased()
    }

    public var description: String { "\(type):\(value)" }

    /// A running digest of this checksum's type, or nil for a type we cannot compute.
    public func makeHasher() -> PackageHasher? { PackageHasher(type: type) }
}
