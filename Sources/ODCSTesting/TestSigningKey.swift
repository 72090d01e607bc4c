import CryptoExtras
import Foundation
import JWTKit
import ODCSCore

/// A signing key made for one test: RSA (2048 bits, RS256) or EC (P-256, ES256), with its
/// key id and the public JWK an identity provider publishes for it.
public struct TestSigningKey: Sendable {
    public enum Kind: Sendable {
        case rsa
        case ec
    }

    public let kid: String
    public let algorithm: String
    /// The public half, as a JWKS entry.
    public let publicJWK: JSONValue
    let signer: JWTKeyCollection

    public static func make(_ kind: Kind, kid: String) async throws -> TestSigningKey {
        let signer = JWTKeyCollection()
        switch kind {
        case .rsa:
            let key = try Insecure.RSA.PrivateKey(backing: try _RSA.Signing.PrivateKey(keySize: .bits2048))
            let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
            await signer.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            return TestSigningKey(
                kid: kid, algorithm: "RS256",
                publicJWK: [
                    "kty": "RSA", "use": "sig", "alg": "RS256", "kid": .string(kid), "n": .string(base64URL(modulus)),
                    "e": .string(base64URL(exponent)),
                ], signer: signer)
        case .ec:
            let key = ES256PrivateKey()
            guard let (x, y) = key.publicKey.parameters else { throw KeyError() }
            await signer.add(ecdsa: key, kid: JWKIdentifier(string: kid))
            return TestSigningKey(
                kid: kid, algorithm: "ES256",
                publicJWK: [
                    "kty": "EC", "use": "sig", "alg": "ES256", "crv": "P-256", "kid": .string(kid), "x": .string(x), "y": .string(y),
                ],
                signer: signer)
        }
    }

    /// A JWS over exactly these claims. `header` entries replace the defaults
    /// (`alg` of the key, `typ` JWT, `kid` of the key; `.null` removes one).
    public func sign(_ claims: JSONObject, header overrides: [String: JSONValue] = [:]) async throws -> String {
        var header: [String: JSONValue] = ["alg": .string(algorithm), "typ": "JWT", "kid": .string(kid)]
        for (name, value) in overrides { header[name] = value == .null ? nil : value }
        let headerJSON = JSONValue.object(JSONObject(header.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }))
        let input =
            Self.base64URL(Data(headerJSON.serialized().utf8)) + "." + Self.base64URL(Data(JSONValue.object(claims).serialized().utf8))
        let signature = try await signer.getKey(for: JWKIdentifier(string: kid)).sign(Data(input.utf8))
        return input + "." + Self.base64URL(Data(signature))
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    struct KeyError: Error {}
}
