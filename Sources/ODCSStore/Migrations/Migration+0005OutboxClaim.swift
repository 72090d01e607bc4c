extension Migration {
    /// The publishers' claim walks the unpublished events in id order and keeps those that
    /// are their compose's oldest unpublished one (`OutboxStore.publishBatch`). This index
    /// makes that walk stop after about `limit` rows, whatever the backlog: the claim of
    /// migration 4 grouped the whole backlog (`DISTINCT ON`) on every round, so a backlog
    /// that grew slowed every claim and kept growing (docs/benchmarks.md, compose events).
    static let m0005OutboxClaim = Migration(
        version: 5, name: "outbox claim",
        sql: """
            CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;
            """)
}
