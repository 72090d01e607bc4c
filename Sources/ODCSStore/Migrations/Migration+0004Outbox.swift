extension Migration {
    /// The transactional outbox of compose events (docs/events.md). A trigger on `composes`
    /// writes one row per creation and per state change, in the transaction that makes the
    /// change, with a snapshot of the row as it was then: no code path can change a state
    /// without its event, and a rolled-back change leaves none. Publishers render the
    /// snapshot into upstream's message and record which backends confirmed it.
    static let m0004Outbox = Migration(
        version: 4, name: "outbox",
        sql: """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                compose_id bigint NOT NULL,
                state integer NOT NULL,
                snapshot jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                -- Backends that confirmed the event; published once every configured one has.
                delivered text[] NOT NULL DEFAULT '{}',
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
                last_error text,
                published_at timestamptz
            );
            -- The head of each compose's unpublished events, in order.
            CREATE INDEX outbox_pending_idx ON outbox (compose_id, id) WHERE published_at IS NULL;
            CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;
            CREATE INDEX outbox_compose_idx ON outbox (compose_id, id);
            ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

            CREATE FUNCTION odcs_outbox_state_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO outbox (compose_id, state, snapshot) VALUES (NEW.id, NEW.state, to_jsonb(NEW));
                PERFORM pg_notify('odcs_outbox', '');
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER composes_outbox_created AFTER INSERT ON composes
                FOR EACH ROW EXECUTE FUNCTION odcs_outbox_state_changed();
            CREATE TRIGGER composes_outbox_state_changed AFTER UPDATE OF state ON composes
                FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION odcs_outbox_state_changed();
            """)
}
