import Foundation
import ODCSCore

/// A token in JWS compact form (`header.payload.signature`), split and decoded but not yet
/// verified. Anything else (an opaque token, a five-part JWE) is not one.
struct CompactJWS {
    let token: String
    let header: JSONObject
    let payload: JSONObject?

    /// nil when the token is not three base64url parts whose first is a JSON header with `alg`.
    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Self.base64URLDecode(parts[0]),
            case .object(let header)? = try? JSONValue.parse(headerBytes), header["alg"]?.stringValue != nil
        else { return nil }
        self.token = token
        self.header = header
        if let bytes = Self.base64URLDecode(parts[1]), case .object(let payload)? = try? JSONValue.parse(bytes) {
            self.payload = payload
        } else {
            self.payload = nil
        }
    }

    var algorithm: String { header["alg"]?.stringValue ?? "" }
    var keyID: String? { header["kid"]?.stringValue }

    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        var base64 = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
