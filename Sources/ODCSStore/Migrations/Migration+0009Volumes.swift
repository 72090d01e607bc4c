extension Migration {
    /// The identity of each target dir (`default` and every `extra_target_dirs` name): the id
    /// the first node wrote into its marker file. A node whose target dir holds another id, or
    /// none, is not on the cluster's volume (docs/operations.md, "The volume's identity").
    static let m0009Volumes = Migration(
        version: 9, name: "volume identity",
        sql: """
            CREATE TABLE volumes (
                name text PRIMARY KEY,
                volume_id text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            """)
}
