extension Migration {
    /// The count and outbox triggers of an INSERT run once per statement, not once per row
    /// (issue 18): a coalesced POST inserts up to 64 composes in one statement
    /// (`ComposeInsert`), and the two row triggers were a PL/pgSQL call and an
    /// INSERT each per compose, 18 % of PostgreSQL's time under POST load. The statement
    /// triggers read the statement's rows from a transition table and write the same rows in
    /// one INSERT each: one `compose_count_deltas` row per (source type, state) of the batch
    /// (the sum of the rows the row trigger wrote), one outbox event per compose in id order
    /// with the same snapshot, and one NOTIFY. Deletes and updates keep their row triggers.
    /// The triggers are replaced under the migration's transaction, whose DROP TRIGGER holds
    /// `composes` against writes until it commits: no insert runs between the old and the new.
    static let m0011StatementInsertTriggers = Migration(
        version: 11, name: "statement insert triggers",
        sql: """
            CREATE FUNCTION compose_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO compose_count_deltas (source_type, state, delta)
                    SELECT source_type, state, count(*) FROM inserted GROUP BY source_type, state;
                RETURN NULL;
            END
            $$;
            CREATE FUNCTION odcs_outbox_composes_created() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO outbox (compose_id, state, snapshot)
                    SELECT inserted.id, inserted.state, to_jsonb(inserted) FROM inserted ORDER BY inserted.id;
                IF FOUND THEN
                    PERFORM pg_notify('odcs_outbox', '');
                END IF;
                RETURN NULL;
            END
            $$;
            DROP TRIGGER composes_count_insert_delete ON composes;
            CREATE TRIGGER composes_count_delete AFTER DELETE ON composes
                FOR EACH ROW EXECUTE FUNCTION compose_count_delta();
            CREATE TRIGGER composes_count_insert AFTER INSERT ON composes
                REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION compose_count_inserted();
            DROP TRIGGER composes_outbox_created ON composes;
            CREATE TRIGGER composes_outbox_created AFTER INSERT ON composes
                REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION odcs_outbox_composes_created();
            """)
}
