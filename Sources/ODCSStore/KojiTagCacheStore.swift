import Logging
import PostgresNIO

/// The cluster's tag → last Koji event cache (`koji_tag_cache`). The generator that uses it
/// sees it through `ODCSGenerator.KojiEventCache`, which `ODCSNode` plugs this into.
public struct KojiTagCacheStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func lastEvent(tag: String) async throws -> Int64? {
        let rows = try await client.query(KojiTagCacheSQL.kojiTagCacheSelectByTag(tag), logger: logger)
        for try await event in rows.decode(Int64.self) { return event }
        return nil
    }

    /// Keeps the newest event: two nodes resolving the same tag at once cannot move it back.
    public func record(tag: String, event: Int64) async throws {
        try await client.query(KojiTagCacheSQL.kojiTagCacheUpsertNewest(tag: tag, event: event), logger: logger)
    }
}
