extension Migration {
    /// The productmd compose ids handed out to Pungi composes (`<short>-<version>-<date>.<type>.<respin>`).
    /// A generation reserves its id here before pungi-koji runs, so that two composes of one
    /// raw_config line generated at the same time, on any nodes, never get the same respin:
    /// the primary key decides. Reading `composes.pungi_compose_id` could not, because it is
    /// recorded only at `done`. Filled with the ids already recorded.
    static let m0007PungiComposeIDs = Migration(
        version: 7, name: "pungi compose ids",
        sql: """
            CREATE TABLE pungi_compose_ids (
                pungi_compose_id text PRIMARY KEY,
                compose_id bigint NOT NULL,
                reserved_at timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO pungi_compose_ids (pungi_compose_id, compose_id)
                SELECT pungi_compose_id, min(id) FROM composes WHERE pungi_compose_id IS NOT NULL GROUP BY pungi_compose_id;
            """)
}
