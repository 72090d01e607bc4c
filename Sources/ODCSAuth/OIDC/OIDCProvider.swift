import Foundation
import JWTKit
import Logging
import ODCSCore

/// The identity provider as a node knows it: its discovery document and its signing keys
/// (JWKS). Both are fetched on first use; the keys are cached and fetched again when they
/// are older than `keyCacheSeconds` or a token names a key id they do not have (at most once
/// per `minimumKeyRefreshInterval`, so tokens with made-up key ids cannot flood the provider).
actor OIDCProvider {
    struct KeySet: Sendable {
        let collection: JWTKeyCollection
        /// Each key's `alg`, by key id; a key without one accepts any algorithm of its type.
        let algorithms: [String: KeyAlgorithm]
        let fetchedAt: ContinuousClock.Instant
    }

    struct KeyAlgorithm: Sendable {
        var name: String?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let configuration: OIDCAuthenticator.Configuration
    let http: ProviderHTTP
    let logger: Logger
    private var discovery: JSONObject?
    private var keySet: KeySet?
    private var lastAttempt: ContinuousClock.Instant?
    private var inFlight: Task<KeySet, any Error>?

    init(configuration: OIDCAuthenticator.Configuration, http: ProviderHTTP, logger: Logger) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
    }

    /// Keys that should hold `keyID`; stale keys are used while the provider cannot be reached.
    func keys(for keyID: String?) async throws(AuthError) -> KeySet {
        let now = ContinuousClock.now
        if let keySet {
            let fresh = now - keySet.fetchedAt < .seconds(configuration.keyCacheSeconds)
            let known = keyID.map { keySet.algorithms[$0] != nil } ?? true
            if fresh, known { return keySet }
            if let lastAttempt, now - lastAttempt < configuration.minimumKeyRefreshInterval { return keySet }
        }
        do {
            return try await refreshKeys()
        } catch {
            logger.error("cannot fetch the identity provider's keys", metadata: ["error": "\(error)"])
            if let keySet { return keySet }
            throw AuthError.providerUnavailable
        }
    }

    /// The introspection endpoint: configured, else the discovery document's; nil when neither.
    func introspectionURL() async throws(AuthError) -> String? {
        if let url = configuration.introspectionURL { return url }
        do {
            return try await discoveryDocument()["introspection_endpoint"]?.stringValue
        } catch {
            logger.error("cannot read the identity provider's discovery document", metadata: ["error": "\(error)"])
            throw AuthError.providerUnavailable
        }
    }

    /// One fetch at a time; callers that arrive meanwhile share its result.
    private func refreshKeys() async throws -> KeySet {
        if let inFlight { return try await inFlight.value }
        lastAttempt = .now
        let task = Task { try await self.fetchKeys() }
        inFlight = task
        defer { inFlight = nil }
        let fetched = try await task.value
        keySet = fetched
        return fetched
    }

    private func fetchKeys() async throws -> KeySet {
        let url: String
        if let configured = configuration.jwksURL {
            url = configured
        } else {
            guard let discovered = try await discoveryDocument()["jwks_uri"]?.stringValue else {
                throw Failure(description: "the discovery document has no jwks_uri")
            }
            url = discovered
        }
        let answer = try await http.get(url)
        guard answer.status == 200, case .object(let document)? = answer.json, case .array(let keys)? = document["keys"] else {
            throw Failure(description: "\(url) answered \(answer.status) without a key set")
        }
        let collection = JWTKeyCollection()
        var algorithms: [String: KeyAlgorithm] = [:]
        for key in keys {
            guard case .object(let object) = key, let keyID = object["kid"]?.stringValue else {
                logger.warning("ignoring a published key without a key id (kid)")
                continue
            }
            // Encryption keys are not for verifying signatures.
            if let use = object["use"]?.stringValue, use != "sig" { continue }
            do {
                try await collection.add(jwk: try JWK(json: key.serialized()))
                algorithms[keyID] = KeyAlgorithm(name: object["alg"]?.stringValue)
            } catch {
                logger.warning("ignoring a published key this node cannot use", metadata: ["kid": "\(keyID)", "error": "\(error)"])
            }
        }
        guard !algorithms.isEmpty else { throw Failure(description: "\(url) has no usable signing key") }
        logger.info("fetched the identity provider's keys", metadata: ["keys": "\(algorithms.keys.sorted().joined(separator: ","))"])
        return KeySet(collection: collection, algorithms: algorithms, fetchedAt: .now)
    }

    /// `<issuer>/.well-known/openid-configuration`, whose `issuer` must be ours (OpenID
    /// Connect Discovery §4.3). Kept once read.
    private func discoveryDocument() async throws -> JSONObject {
        if let discovery { return discovery }
        var base = configuration.issuer
        while base.hasSuffix("/") { base.removeLast() }
        let url = base + "/.well-known/openid-configuration"
        let answer = try await http.get(url)
        guard answer.status == 200, case .object(let document)? = answer.json else {
            throw Failure(description: "\(url) answered \(answer.status) without a discovery document")
        }
        guard document["issuer"]?.stringValue == configuration.issuer else {
            throw Failure(description: "\(url) names another issuer: \(document["issuer"]?.serialized() ?? "none")")
        }
        discovery = document
        return document
    }
}
