import Foundation
import ODCSCore
import ODCSStore
import PostgresNIO

/// Rows for tests: inserts composes through the real store, and moves their clocks with
/// plain SQL (tests may; production code keeps SQL in ODCSStore).
public struct ComposeFactory: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public var store: ComposeStore { ComposeStore(client: client, logger: TestDatabase.logger) }
    public var queue: ComposeQueue { ComposeQueue(client: client, logger: TestDatabase.logger) }
    public var sweeps: ComposeSweeps { ComposeSweeps(client: client, logger: TestDatabase.logger) }

    /// A `build` compose in wait; `configure` changes any field first.
    @discardableResult
    public func insert(
        builds: String = "foo-1.0-1", secondsToLive: Int = 3600, _ configure: (inout NewCompose) -> Void = { _ in }
    ) async throws -> Compose {
        var request = NewCompose(owner: "tester", sourceType: .build, source: "", secondsToLive: secondsToLive)
        request.builds = builds
        request.arches = "x86_64"
        configure(&request)
        return try await store.insert(request)
    }

    public func compose(_ id: Int64) async throws -> Compose {
        guard let compose = try await store.compose(id: id) else { throw StoreError.composeNotFound(id) }
        return compose
    }

    /// Runs a statement with binds, e.g. to age a heartbeat.
    public func execute(_ query: PostgresQuery) async throws {
        try await client.query(query, logger: TestDatabase.logger)
    }

    /// Moves a compose's lease heartbeat `seconds` into the past.
    public func ageHeartbeat(_ id: Int64, seconds: Int) async throws {
        try await execute("UPDATE composes SET heartbeat_at = now() - make_interval(secs => \(Double(seconds))) WHERE id = \(id)")
    }

    /// Makes a compose expire `seconds` ago.
    public func expire(_ id: Int64, secondsAgo: Int = 1) async throws {
        try await execute("UPDATE composes SET time_to_expire = now() - make_interval(secs => \(Double(secondsAgo))) WHERE id = \(id)")
    }

    public func attempt(_ id: Int64) async throws -> Int {
        for try await attempt in try await client.query("SELECT attempt FROM composes WHERE id = \(id)", logger: TestDatabase.logger)
            .decode(Int.self)
        {
            return attempt
        }
        throw StoreError.composeNotFound(id)
    }
}
