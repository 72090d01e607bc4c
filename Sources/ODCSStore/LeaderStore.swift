import Foundation
import Logging
import PostgresNIO

/// A duty's current holder as recorded in `leader`.
public struct LeaderTerm: Sendable, Equatable {
    public var duty: String
    public var term: Int64
    public var holder: String
    public var electedAt: Date
    public var renewedAt: Date
}

/// The fencing token of a leader-only duty: writes made under it check that the term is
/// still this node's, in the same transaction.
public struct LeaderFence: Sendable, Equatable {
    public var duty: String
    public var term: Int64
    public var holder: String

    public init(duty: String, term: Int64, holder: String) {
        self.duty = duty
        self.term = term
        self.holder = holder
    }
}

/// Session advisory locks and terms for leader-only duties (design §5). The lock calls take
/// the dedicated session the elector holds; a pooled connection would lose the lock.
public enum LeaderStore {
    public static func tryLock(_ lock: AdvisoryLock, on session: DatabaseSession) async throws -> Bool {
        for try await got in try await session.connection.query(LeaderSQL.leaderTryLock(lock), logger: session.logger)
            .decode(Bool.self)
        {
            return got
        }
        return false
    }

    /// Makes PostgreSQL close the lock session after `milliseconds` without a statement (the
    /// duty's lease); false when the server is older than 14 and cannot.
    public static func limitIdleSession(milliseconds: Int, on session: DatabaseSession) async throws -> Bool {
        let query = LeaderSQL.leaderLimitIdleSession(milliseconds: milliseconds)
        for try await _ in try await session.connection.query(query, logger: session.logger) { return true }
        return false
    }

    public static func unlock(_ lock: AdvisoryLock, on session: DatabaseSession) async throws {
        try await session.connection.query(LeaderSQL.leaderUnlock(lock), logger: session.logger)
    }

    public static func holdsLock(_ lock: AdvisoryLock, on session: DatabaseSession) async throws -> Bool {
        for try await count in try await session.connection.query(LeaderSQL.leaderHoldsLock(lock), logger: session.logger)
            .decode(Int.self)
        {
            return count == 1
        }
        return false
    }

    public static func elect(duty: String, holder: String, on session: DatabaseSession) async throws -> Int64 {
        let query = LeaderSQL.leaderElect(duty: duty, holder: holder)
        for try await term in try await session.connection.query(query, logger: session.logger).decode(Int64.self) {
            return term
        }
        throw StoreError.corruptRow("leader election returned no term")
    }

    /// False when the term is no longer this node's.
    public static func renew(_ fence: LeaderFence, on session: DatabaseSession) async throws -> Bool {
        let query = LeaderSQL.leaderRenew(duty: fence.duty, term: fence.term, holder: fence.holder)
        for try await _ in try await session.connection.query(query, logger: session.logger) { return true }
        return false
    }

    /// Throws `notLeader` unless the fence's term is current; call inside the duty's write
    /// transaction.
    static func check(_ fence: LeaderFence, on connection: PostgresConnection, logger: Logger) async throws {
        let query = LeaderSQL.leaderCheckTerm(duty: fence.duty, term: fence.term, holder: fence.holder)
        for try await _ in try await connection.query(query, logger: logger) { return }
        throw StoreError.notLeader(duty: fence.duty)
    }

    public static func terms(client: PostgresClient, logger: Logger) async throws -> [LeaderTerm] {
        var terms: [LeaderTerm] = []
        let rows = try await client.query(LeaderSQL.leaderSelectAll, logger: logger)
        for try await (duty, term, holder, elected, renewed) in rows.decode((String, Int64, String, Date, Date).self) {
            terms.append(LeaderTerm(duty: duty, term: term, holder: holder, electedAt: elected, renewedAt: renewed))
        }
        return terms
    }
}
