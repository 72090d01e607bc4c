extension Migration {
    /// `order_by` on every key of the list is an index scan, not a sort of the whole table
    /// (issue 18): with a million stored composes, `order_by=time_submitted` (or any key
    /// without an index: source_type, koji_event and the four times) sorted every row on each
    /// request. Each index ends in `id`, the list's tie-breaker (`ComposeListSQL.order`), so
    /// that a backward scan serves the descending order too. `id`, `owner` and `state` already
    /// had theirs (migration 1). The price is six more index entries per insert; what the
    /// migration and the inserts cost is measured in docs/benchmarks.md ("At scale").
    /// The indexes are built under the migration's transaction: writes to `composes` wait
    /// for the build (seconds per million rows), reads do not.
    static let m0010ListOrderIndexes = Migration(
        version: 10, name: "list order indexes",
        sql: """
            CREATE INDEX composes_order_source_type_idx ON composes (source_type, id);
            CREATE INDEX composes_order_koji_event_idx ON composes (koji_event, id);
            CREATE INDEX composes_order_time_to_expire_idx ON composes (time_to_expire, id);
            CREATE INDEX composes_order_time_submitted_idx ON composes (time_submitted, id);
            CREATE INDEX composes_order_time_done_idx ON composes (time_done, id);
            CREATE INDEX composes_order_time_removed_idx ON composes (time_removed, id);
            """)
}
