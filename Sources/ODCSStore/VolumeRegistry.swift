import Logging
import PostgresNIO

/// The cluster's record of its target dirs' identities (`volumes`).
public struct VolumeRegistry: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The id registered for the target dir `name`, if any.
    public func volumeID(name: String) async throws -> String? {
        for try await id in try await client.query(VolumeSQL.volumeSelectByName(name), logger: logger).decode(String.self) {
            return id
        }
        return nil
    }

    /// Registers `volumeID` for `name` unless one is already; returns the registered one.
    public func register(name: String, volumeID: String) async throws -> String {
        try await client.query(VolumeSQL.volumeInsertIfMissing(name: name, volumeID: volumeID), logger: logger)
        guard let registered = try await self.volumeID(name: name) else { throw StoreError.corruptRow("volume \(name) vanished") }
        return registered
    }
}

extension ComposeStore {
    /// The volume registry in this store's database.
    public var volumes: VolumeRegistry { VolumeRegistry(client: client, logger: logger) }
}
