extension Migration {
    /// The first 256 characters of `source` as a stored generated column, indexed with `id`
    /// and carrying `state`, in place of migration 8's expression index on the same prefix.
    ///
    /// The total of a `source` list counted every matching row in the heap: PostgreSQL (15)
    /// serves no index-only scan from an expression index, since it finds the expression's
    /// column (`source`) missing from the index. So the busiest tag of a million composes
    /// (58,000 of them) took 81 ms a request, 143 ms at p99 (issue 18). On a column the count
    /// is an index-only scan: a value shorter than 256 characters is decided by its prefix
    /// alone (`ComposeListSQL.whereClause`), and `state`, the usual second filter of a
    /// pipeline's poll, is in the index's leaves.
    ///
    /// Adding a stored column rewrites the table under an exclusive lock (measured on a
    /// million composes in `docs/benchmarks.md`). A node still on schema 12 during a rolling
    /// upgrade keeps answering the same lists: its `left(source, 256)` condition has no index
    /// of its own any more, so it filters the rows its other conditions find.
    static let m0013SourcePrefixColumn = Migration(
        version: 13, name: "source prefix column",
        sql: """
            ALTER TABLE composes ADD COLUMN source_prefix text GENERATED ALWAYS AS (left(source, 256)) STORED;
            DROP INDEX composes_source_prefix_idx;
            CREATE INDEX composes_source_prefix_idx ON composes (source_prefix, id) INCLUDE (state);
            """)
}
