extension Migration {
    /// Upstream's `composes` and `users` tables with upstream column names, plus the node
    /// registry. Times are timestamptz and always come from the database clock.
    static let m0001Initial = Migration(
        version: 1, name: "initial",
        sql: """
            CREATE TABLE users (
                id bigserial PRIMARY KEY,
                username varchar(200) NOT NULL UNIQUE
            );

            CREATE TABLE composes (
                id bigserial PRIMARY KEY,
                owner text NOT NULL,
                source_type integer NOT NULL CHECK (source_type BETWEEN 1 AND 7),
                source text NOT NULL,
                modular_koji_tags text,
                module_defaults_url text,
                koji_event bigint,
                sigkeys text,
                state integer NOT NULL CHECK (state BETWEEN 0 AND 4),
                state_reason text,
                results integer NOT NULL,
                packages text,
                builds text,
                flags integer,
                time_to_expire timestamptz NOT NULL,
                time_submitted timestamptz NOT NULL,
                time_started timestamptz,
                time_done timestamptz,
                time_removed timestamptz,
                removed_by text,
                reused_id bigint,
                koji_task_id bigint,
                arches text,
                multilib_arches text,
                multilib_method integer,
                lookaside_repos text,
                label text,
                compose_type text,
                pungi_compose_id text,
                pungi_config_dump text,
                celery_task_id text,
                target_dir text,
                scratch_modules text,
                scratch_build_tasks text,
                parent_pungi_compose_ids text,
                modules text,
                respin_of text,
                base_module_br_name text,
                base_module_br_stream text,
                base_module_br_stream_version_lte bigint,
                base_module_br_stream_version_gte bigint,
                traceparent text
            );

            -- The work queue and the expiry sweep read only these slices.
            CREATE INDEX composes_wait_idx ON composes (id) WHERE state = 0;
            CREATE INDEX composes_expiry_idx ON composes (time_to_expire) WHERE state IN (2, 4);
            CREATE INDEX composes_reused_id_idx ON composes (reused_id) WHERE reused_id IS NOT NULL;
            -- List filters, each ending in id for the default ORDER BY id DESC.
            CREATE INDEX composes_state_idx ON composes (state, id);
            CREATE INDEX composes_source_type_state_idx ON composes (source_type, state, id);
            CREATE INDEX composes_owner_idx ON composes (owner, id);
            CREATE INDEX composes_source_idx ON composes (source, id);
            CREATE INDEX composes_label_idx ON composes (label, id) WHERE label IS NOT NULL;
            CREATE INDEX composes_compose_type_idx ON composes (compose_type, id);
            CREATE INDEX composes_koji_task_id_idx ON composes (koji_task_id) WHERE koji_task_id IS NOT NULL;
            CREATE INDEX composes_pungi_compose_id_idx ON composes (pungi_compose_id) WHERE pungi_compose_id IS NOT NULL;

            CREATE TABLE nodes (
                id text PRIMARY KEY,
                host text NOT NULL,
                version text NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                seen_at timestamptz NOT NULL DEFAULT now()
            );
            """)
}
