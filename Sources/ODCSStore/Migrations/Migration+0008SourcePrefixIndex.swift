extension Migration {
    /// `source` holds whatever list the request gave (modules, repositories, tags), and after
    /// generation what it resolved to: a btree entry of the whole value fails past about
    /// 2,700 bytes (54000, "index row requires N bytes"), so a long list was a 500. The index
    /// keeps the first 256 characters (at most 1 KiB); the list filter compares that prefix,
    /// which the index serves in id order, and then the whole value
    /// (`ComposeListSQL.whereClause`). The other indexed text columns have bounded values:
    /// `owner` (users.username is varchar(200)), `label` (200), `compose_type` (64) and
    /// `pungi_compose_id` (ComposeFieldRules).
    static let m0008SourcePrefixIndex = Migration(
        version: 8, name: "source prefix index",
        sql: """
            DROP INDEX composes_source_idx;
            CREATE INDEX composes_source_prefix_idx ON composes (left(source, 256), id);
            """)
}
