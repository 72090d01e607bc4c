extension Migration {
    /// Upstream's per-process `LAST_EVENTS_CACHE`, shared by the cluster: the Koji event a tag
    /// compose last resolved to, per tag.
    static let m0003KojiTagCache = Migration(
        version: 3, name: "koji_tag_cache",
        sql: """
            CREATE TABLE koji_tag_cache (
                tag text PRIMARY KEY,
                koji_event bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            """)
}
