import PostgresNIO

/// Statements on `volumes` (migration 9).
enum VolumeSQL {
    static func volumeSelectByName(_ name: String) -> PostgresQuery {
        "SELECT volume_id FROM volumes WHERE name = \(name)"
    }

    /// The first id registered for `name` wins; later ones change nothing.
    static func volumeInsertIfMissing(name: String, volumeID: String) -> PostgresQuery {
        "INSERT INTO volumes (name, volume_id) VALUES (\(name), \(volumeID)) ON CONFLICT (name) DO NOTHING"
    }
}
