import Crypto

/// A digest computed while the bytes stream past, so a download is checked without reading
/// the file again.
public struct PackageHasher: Sendable {
    private enum Function: Sendable {
        case sha256(SHA256)
        case sha384(SHA384)
        case sha512(SHA512)
        case sha1(Insecure.SHA1)
        case md5(Insecure.MD5)
    }
    private var function: Function

    /// Types as createrepo_c names them (`sha` is its old name for SHA-1).
    public init?(type: String) {
        switch type.lowercased() {
        case "sha256": function = .sha256(SHA256())
        case "sha384": function = .sha384(SHA384())
        case "sha512": function = .sha512(SHA512())
        case "sha1", "sha": function = .sha1(Insecure.SHA1())
        case "md5": function = .md5(Insecure.MD5())
        default: return nil
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch function {
        case .sha256(var hasher):
            hasher.update(bufferPointer: bytes)
            function = .sha256(hasher)
        case .sha384(var hasher):
            hasher.update(bufferPointer: bytes)
            function = .sha384(hasher)
        case .sha512(var hasher):
            hasher.update(bufferPointer: bytes)
            function = .sha512(hasher)
        case .sha1(var hasher):
            hasher.update(bufferPointer: bytes)
            function = .sha1(hasher)
        case .md5(var hasher):
            hasher.update(bufferPointer: bytes)
            function = .md5(hasher)
        }
    }

    /// The lower-case hex digest.
    public func finalize() -> String {
        switch function {
        case .sha256(let hasher): hex(hasher.finalize())
        case .sha384(let hasher): hex(hasher.finalize())
        case .sha512(let hasher): hex(hasher.finalize())
        case .sha1(let hasher): hex(hasher.finalize())
        case .md5(let hasher): hex(hasher.finalize())
        }
    }

    private func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
