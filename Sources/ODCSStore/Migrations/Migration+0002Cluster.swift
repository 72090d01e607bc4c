extension Migration {
    /// The cluster columns of design §4: a claim's lease (attempt, token, holder, heartbeat,
    /// deadline), the reuse key, the retry back-off; the leader terms of the duties; the node
    /// registry's worker count.
    static let m0002Cluster = Migration(
        version: 2, name: "cluster",
        sql: """
            ALTER TABLE composes
                ADD COLUMN attempt integer NOT NULL DEFAULT 0,
                ADD COLUMN lease_token uuid,
                ADD COLUMN leased_by text,
                ADD COLUMN heartbeat_at timestamptz,
                ADD COLUMN deadline_at timestamptz,
                ADD COLUMN request_hash bytea,
                ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT '-infinity';

            -- Reuse candidates: generating or done composes that own their files, by reuse key.
            CREATE INDEX composes_reuse_idx ON composes (request_hash, id DESC)
                WHERE state IN (1, 2) AND reused_id IS NULL AND request_hash IS NOT NULL;
            -- The rescue sweep reads only the leased slice.
            CREATE INDEX composes_leased_idx ON composes (heartbeat_at)
                WHERE state = 1 AND lease_token IS NOT NULL;

            -- The queue table churns: vacuum it early so that the claim scans few dead tuples.
            ALTER TABLE composes SET (
                autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 200,
                autovacuum_analyze_scale_factor = 0.05);

            -- One row per leader-only duty; `term` is the fencing token its writes check.
            CREATE TABLE leader (
                duty text PRIMARY KEY,
                term bigint NOT NULL,
                holder text NOT NULL,
                elected_at timestamptz NOT NULL DEFAULT now(),
                renewed_at timestamptz NOT NULL DEFAULT now()
            );

            ALTER TABLE nodes
                ADD COLUMN workers integer NOT NULL DEFAULT 0,
                ADD COLUMN state text NOT NULL DEFAULT 'running';
            """)
}
