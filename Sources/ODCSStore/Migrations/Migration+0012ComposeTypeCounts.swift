extension Migration {
    /// Counts by (source type, state, compose type) beside migration 6's, so that the list's
    /// total for a `compose_type` filter (alone or with `state` and `source_type`) is a sum of
    /// a few rows, not a count of its matching composes (issue 18: `compose_type=test`
    /// matched 700,000 of a million composes, 63–80 ms a request on a quiet machine).
    ///
    /// A table of its own, not a column of `compose_count_deltas`: a node still on schema 11
    /// during a rolling upgrade compacts that table by (source type, state) alone and would
    /// fold the compose types away. It never touches this one, whose rows then wait for a
    /// new node to fold them. The triggers that keep migration 6's counts now write both
    /// (`compose_type` never changes after the insert; deletes and state or source type
    /// changes carry it from the row). The row trigger's function loses its INSERT branch:
    /// since migration 11 it fires only on DELETE and UPDATE. The existing composes are counted under a lock that
    /// holds writes to `composes` until the migration commits.
    static let m0012ComposeTypeCounts = Migration(
        version: 12, name: "compose type counts",
        sql: """
            LOCK TABLE composes IN SHARE ROW EXCLUSIVE MODE;
            CREATE TABLE compose_type_count_deltas (
                source_type integer NOT NULL,
                state integer NOT NULL,
                compose_type text,
                delta bigint NOT NULL
            );
            CREATE OR REPLACE FUNCTION compose_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    INSERT INTO compose_count_deltas VALUES (OLD.source_type, OLD.state, -1);
                    INSERT INTO compose_type_count_deltas VALUES (OLD.source_type, OLD.state, OLD.compose_type, -1);
                ELSE
                    INSERT INTO compose_count_deltas VALUES (OLD.source_type, OLD.state, -1), (NEW.source_type, NEW.state, 1);
                    INSERT INTO compose_type_count_deltas
                        VALUES (OLD.source_type, OLD.state, OLD.compose_type, -1), (NEW.source_type, NEW.state, NEW.compose_type, 1);
                END IF;
                RETURN NULL;
            END
            $$;
            CREATE OR REPLACE FUNCTION compose_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO compose_count_deltas (source_type, state, delta)
                    SELECT source_type, state, count(*) FROM inserted GROUP BY source_type, state;
                INSERT INTO compose_type_count_deltas (source_type, state, compose_type, delta)
                    SELECT source_type, state, compose_type, count(*) FROM inserted GROUP BY source_type, state, compose_type;
                RETURN NULL;
            END
            $$;
            INSERT INTO compose_type_count_deltas (source_type, state, compose_type, delta)
                SELECT source_type, state, compose_type, count(*) FROM composes GROUP BY source_type, state, compose_type;
            """)
}
