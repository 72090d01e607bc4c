import PostgresNIO

/// Statements on `koji_tag_cache`.
enum KojiTagCacheSQL {
    static func kojiTagCacheSelectByTag(_ tag: String) -> PostgresQuery {
        "SELECT koji_event FROM koji_tag_cache WHERE tag = \(tag)"
    }

    /// Keeps the newest event: two nodes resolving the same tag at once cannot move it back.
    static func kojiTagCacheUpsertNewest(tag: String, event: Int64) -> PostgresQuery {
        """
        INSERT INTO koji_tag_cache (tag, koji_event) VALUES (\(tag), \(event))
        ON CONFLICT (tag) DO UPDATE SET koji_event = GREATEST(koji_tag_cache.koji_event, EXCLUDED.koji_event), updated_at = now()
        """
    }
}
