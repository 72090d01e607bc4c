import ODCSCore
import PostgresNIO

extension ComposeStore {
    /// Puts a compose in a state directly, bypassing the transition rules, so that tests can
    /// set up the states that workers produce. Not for production paths.
    @_spi(Testing)
    public func overwriteState(
        id: Int64, state: ComposeState, reason: String? = nil, reusedID: Int64? = nil, pungiComposeID: String? = nil,
        expiresInSeconds: Int? = nil
    ) async throws {
        try await client.query(
            ComposeTestingSQL.composeOverwriteState(
                id: id, state: state, reason: reason, reusedID: reusedID, pungiComposeID: pungiComposeID,
                expiresInSeconds: expiresInSeconds), logger: logger)
    }
}

extension ComposeStore {
    /// A digest of every `composes` and `users` row, so that a test can show that a refused
    /// request changed nothing at all (not only that no row was added).
    @_spi(Testing)
    public func contentDigest() async throws -> String {
        let rows = try await client.query(ComposeTestingSQL.composeSelectContentDigest, logger: logger)
        for try await digest in rows.decode(String.self) { return digest }
        return ""
    }
}
