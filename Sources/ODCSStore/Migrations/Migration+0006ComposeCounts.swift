extension Migration {
    /// Per-(source type, state) counts of composes, so that the list endpoint's `meta.total`
    /// and the cluster gauges need not count the matching rows on every request
    /// (docs/api-reads.md, "The list's total").
    ///
    /// A trigger appends a `+1`/`-1` row for every insert, delete and change of state or source
    /// type: appending never waits on another writer, unlike one counter row per key, which
    /// every node's writes would queue on (and, for transitions in opposite directions, could
    /// deadlock on). `ComposeSweeps.compactCounts` folds the rows into one per key now and then; a
    /// total is the sum of the few rows of its keys. The table is filled under a lock that
    /// stops writes, so that no compose is counted twice or not at all while the trigger
    /// comes in.
    static let m0006ComposeCounts = Migration(
        version: 6, name: "compose counts",
        sql: """
            CREATE TABLE compose_count_deltas (
                source_type integer NOT NULL,
                state integer NOT NULL,
                delta bigint NOT NULL
            );
            CREATE FUNCTION compose_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO compose_count_deltas VALUES (NEW.source_type, NEW.state, 1);
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO compose_count_deltas VALUES (OLD.source_type, OLD.state, -1);
                ELSE
                    INSERT INTO compose_count_deltas VALUES (OLD.source_type, OLD.state, -1), (NEW.source_type, NEW.state, 1);
                END IF;
                RETURN NULL;
            END
            $$;
            LOCK TABLE composes IN SHARE ROW EXCLUSIVE MODE;
            CREATE TRIGGER composes_count_insert_delete AFTER INSERT OR DELETE ON composes
                FOR EACH ROW EXECUTE FUNCTION compose_count_delta();
            CREATE TRIGGER composes_count_update AFTER UPDATE OF state, source_type ON composes
                FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.source_type IS DISTINCT FROM NEW.source_type)
                EXECUTE FUNCTION compose_count_delta();
            INSERT INTO compose_count_deltas SELECT source_type, state, count(*) FROM composes GROUP BY source_type, state;
            """)
}
