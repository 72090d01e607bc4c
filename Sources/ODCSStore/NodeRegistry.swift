import Foundation
import Logging
import PostgresNIO

/// One node as the registry knows it.
public struct NodeRecord: Sendable, Equatable {
    public var id: String
    public var host: String
    public var version: String
    public var startedAt: Date
    public var seenAt: Date
    public var workers: Int
    /// `running`, `draining` or `stopped`.
    public var state: String
    /// Seconds since the node last reported, by the database clock.
    public var secondsSinceSeen: Double
    /// The ids of the composes this node holds leases on now.
    public var generatingIDs: [Int64]
    /// How many composes this node holds leases on now.
    public var generating: Int { generatingIDs.count }
}

/// The `nodes` table: each node registers at start and reports every few seconds.
public struct NodeRegistry: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func register(id: String, host: String, version: String, workers: Int) async throws {
        try await client.query(NodeSQL.nodeUpsert(id: id, host: host, version: version, workers: workers), logger: logger)
    }

    public func touch(id: String, state: String = "running") async throws {
        try await client.query(NodeSQL.nodeTouch(id: id, state: state), logger: logger)
    }

    public func all() async throws -> [NodeRecord] {
        var nodes: [NodeRecord] = []
        let rows = try await client.query(NodeSQL.nodeSelectAll, logger: logger)
        for try await (id, host, version, started, seen, workers, state, since, generating) in rows.decode(
            (String, String, String, Date, Date, Int, String, Double, [Int64]).self)
        {
            nodes.append(
                NodeRecord(
                    id: id, host: host, version: version, startedAt: started, seenAt: seen, workers: workers, state: state,
                    secondsSinceSeen: since, generatingIDs: generating))
        }
        return nodes
    }

    /// Forgets nodes not seen for `seconds` (a leader-side tidy-up; harmless anywhere).
    public func forget(olderThan seconds: Int) async throws {
        try await client.query(NodeSQL.nodeDeleteStale(olderThanSeconds: seconds), logger: logger)
    }
}
