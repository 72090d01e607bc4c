import Foundation
import SystemPackage

/// What an RPM file's signature header says: the MD5 of header and payload (`SIGMD5`, which
/// Koji calls `payloadhash`) and the key that signed the file, read from the first few
/// kilobytes of the file without rpm.
///
///     let signature = try RPMSignatureHeader(file: "/mnt/koji/packages/foo/1/1/data/signed/b35a35d5/noarch/foo-1-1.noarch.rpm")
///     signature.payloadMD5  // "2dc60443a3836edcf224289379f8aaa3"
///     signature.sigkey      // "b35a35d5", Koji's short key id; nil for an unsigned file
///
/// Signing adds a signature to this header and leaves header and payload alone, so a signed
/// copy has the payloadhash of the unsigned file: that is how a copy is checked against Koji.
public struct RPMSignatureHeader: Sendable, Equatable {
    public var payloadMD5: String?
    /// The lower-case last 8 hex digits of the signing key's id, as Koji and productmd name keys.
    public var sigkey: String?

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    static let leadSize = 96
    static let headerMagic: [UInt8] = [0x8e, 0xad, 0xe8, 0x01]
    /// RPMSIGTAG_MD5, and the tags whose value is an OpenPGP signature packet:
    /// RSA and DSA header signatures, PGP and GPG header+payload signatures.
    static let md5Tag: UInt32 = 1004
    static let signatureTags: [UInt32] = [268, 267, 1002, 1005]
    /// A signature header is a few kilobytes; anything larger is not one.
    static let maxSize = 1 << 20

    public init(payloadMD5: String?, sigkey: String?) {
        self.payloadMD5 = payloadMD5
        self.sigkey = sigkey
    }

    public init(file path: FilePath) throws(Failure) {
        let bytes: [UInt8]
        do {
            let descriptor = try FileDescriptor.open(path, .readOnly)
            defer { try? descriptor.close() }
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            let count = try buffer.withUnsafeMutableBytes { try descriptor.read(into: $0) }
            bytes = Array(buffer[..<count])
        } catch {
            throw Failure(description: "cannot read \(path): \(error)")
        }
        try self.init(bytes: bytes, name: path.string)
    }

    init(bytes: [UInt8], name: String) throws(Failure) {
        guard bytes.count >= Self.leadSize + 16, bytes[0..<4] == [0xed, 0xab, 0xee, 0xdb] else {
            throw Failure(description: "\(name) is not an RPM file (no RPM lead)")
        }
        let start = Self.leadSize
        guard Array(bytes[start..<start + 4]) == Self.headerMagic else {
            throw Failure(description: "\(name) has no RPM signature header after its lead")
        }
        let entries = Int(Self.uint32(bytes, start + 8))
        let dataSize = Int(Self.uint32(bytes, start + 12))
        let indexStart = start + 16
        let dataStart = indexStart + entries * 16
        guard entries < 4096, dataSize < Self.maxSize, dataStart + dataSize <= bytes.count else {
            throw Failure(description: "\(name) has a truncated or oversized RPM signature header")
        }
        var md5: String?
        var key: String?
        for entry in 0..<entries {
            let at = indexStart + entry * 16
            let tag = Self.uint32(bytes, at)
            let offset = Int(Self.uint32(bytes, at + 8))
            let count = Int(Self.uint32(bytes, at + 12))
            guard offset >= 0, count >= 0, offset + count <= dataSize else { continue }
            let value = Array(bytes[(dataStart + offset)..<(dataStart + offset + count)])
            if tag == Self.md5Tag, count == 16 {
                md5 = Self.hex(value[...])
            } else if key == nil, Self.signatureTags.contains(tag) {
                key = Self.issuer(ofSignaturePacket: value)
            }
        }
        self.init(payloadMD5: md5, sigkey: key)
    }

    /// Lower-case hex; `String(format:)` per byte was most of the header check's time.
    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    /// The short key id of an OpenPGP signature packet (RFC 4880 §5.2): v3 carries the key
    /// id in the body, v4 in an issuer (16) or issuer fingerprint (33) subpacket.
    static func issuer(ofSignaturePacket packet: [UInt8]) -> String? {
        guard let first = packet.first, first & 0x80 != 0 else { return nil }
        var at = 1
        if first & 0x40 == 0 {
            // Old format: the length's size is in the low two bits.
            switch first & 0x03 {
            case 0: at += 1
            case 1: at += 2
            case 2: at += 4
            default: break
            }
        } else {
            guard packet.count > 1 else { return nil }
            let octet = packet[1]
            at += octet < 192 ? 1 : octet < 224 ? 2 : 5
        }
        guard packet.count > at else { return nil }
        let body = Array(packet[at...])
        func short(_ keyID: ArraySlice<UInt8>) -> String { hex(keyID.suffix(4)) }
        switch body.first {
        case 3:
            guard body.count >= 15 else { return nil }
            return short(body[7..<15])
        case 4:
            guard body.count >= 6 else { return nil }
            let hashedLength = Int(body[4]) << 8 | Int(body[5])
            let hashed = 6..<(6 + hashedLength)
            guard hashed.upperBound + 2 <= body.count else { return nil }
            let unhashedLength = Int(body[hashed.upperBound]) << 8 | Int(body[hashed.upperBound + 1])
            let unhashed = (hashed.upperBound + 2)..<min(body.count, hashed.upperBound + 2 + unhashedLength)
            for range in [hashed, unhashed] {
                if let key = issuer(inSubpackets: body[range]) { return short(key) }
            }
            return nil
        default:
            return nil
        }
    }

    private static func issuer(inSubpackets area: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var at = area.startIndex
        while at < area.endIndex {
            let octet = Int(area[at])
            var length: Int
            if octet < 192 {
                length = octet
                at += 1
            } else if octet < 255 {
                guard at + 1 < area.endIndex else { return nil }
                length = ((octet - 192) << 8) + Int(area[at + 1]) + 192
                at += 2
            } else {
                guard at + 4 < area.endIndex else { return nil }
                length = Int(area[at + 1]) << 24 | Int(area[at + 2]) << 16 | Int(area[at + 3]) << 8 | Int(area[at + 4])
                at += 5
            }
            guard length >= 1, at + length <= area.endIndex else { return nil }
            let type = area[at] & 0x7f
            let data = area[(at + 1)..<(at + length)]
            if type == 16, data.count == 8 { return data }
            if type == 33, data.count >= 9 { return data.suffix(8) }
            at += length
        }
        return nil
    }
}
