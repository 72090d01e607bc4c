import Foundation
import ODCSCore

/// The claims of a verified JWT or of an introspection answer, and the checks ODCS makes on
/// them: expiry and not-before (with leeway), issuer, audience.
struct TokenClaims {
    let claims: JSONObject

    /// `exp` is required of a JWT (an access token that never expires is refused); an
    /// introspection answer need not carry it (the provider said the token is active).
    func checkTimes(now: Date, leeway: Int, requireExpiry: Bool) throws(AuthError) {
        let current = now.timeIntervalSince1970
        switch try number("exp") {
        case .some(let expiry):
            guard current <= expiry + Double(leeway) else { throw AuthError.invalidToken("it has expired") }
        case .none:
            if requireExpiry { throw AuthError.invalidToken("it has no expiry time (exp)") }
        }
        if let notBefore = try number("nbf"), current + Double(leeway) < notBefore {
            throw AuthError.invalidToken("it is not valid yet")
        }
    }

    /// `iss` must be the configured issuer; `required: false` lets an introspection answer
    /// without `iss` through.
    func checkIssuer(_ issuer: String, required: Bool) throws(AuthError) {
        guard let value = claims["iss"] else {
            if required { throw AuthError.invalidToken("it names no issuer") }
            return
        }
        guard value.stringValue == issuer else { throw AuthError.invalidToken("it was issued by another issuer") }
    }

    /// `aud` (a string or a list) must name one of the configured audiences.
    func checkAudience(_ audiences: [String], required: Bool) throws(AuthError) {
        guard let value = claims["aud"] else {
            if required { throw AuthError.invalidToken("it names no audience") }
            return
        }
        let named: [String]
        switch value {
        case .string(let single): named = [single]
        case .array(let list): named = list.compactMap(\.stringValue)
        default: named = []
        }
        guard named.contains(where: audiences.contains) else { throw AuthError.invalidToken("it is meant for another audience") }
    }

    /// A numeric date claim; nil when absent.
    func number(_ name: String) throws(AuthError) -> Double? {
        switch claims[name] {
        case .int(let value): return Double(value)
        case .double(let value) where value.isFinite: return value
        case nil, .null: return nil
        default: throw AuthError.invalidToken("its \(name) claim is not a number")
        }
    }

    func string(_ name: String) -> String? { claims[name]?.stringValue }

    /// A list claim given as a JSON list or as one space-separated string (OAuth's `scope`).
    func list(_ name: String) -> [String]? {
        switch claims[name] {
        case .string(let text): text.split(separator: " ").map(String.init)
        case .array(let values): values.compactMap(\.stringValue)
        default: nil
        }
    }
}
