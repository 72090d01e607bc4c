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
/// the dedicated connection the elector holds; a pooled connection would lose the lock.
public enum LeaderStore {
    public static func tryLock(on connection: PostgresConnection, dutyKey: Int32, logger: Logger) async throws -> Bool {
        for try await got in try await connection.query(LeaderSQL.leaderTryLock(dutyKey: dutyKey), logger: logger).decode(Bool.self) {
            return got
        }
        return false
    }

    /// Makes PostgreSQL close the lock connection after `milliseconds` without a statement
    /// (the duty's lease); false when the server is older than 14 and cannot.
    public static func limitIdleSession(on connection: PostgresConnection, milliseconds: Int, logger: Logger) async throws -> Bool {
        for try await _ in try await connection.query(LeaderSQL.leaderLimitIdleSession(milliseconds: milliseconds), logger: logger) {
            return true
        }
        return false
    }

    public static func unlock(on connection: PostgresConnection, dutyKey: Int32, logger: Logger) async throws {
        try await connection.query(LeaderSQL.leaderUnlock(dutyKey: dutyKey), logger: logger)
    }

    public static func holdsLock(on connection: PostgresConnection, dutyKey: Int32, logger: Logger) async throws -> Bool {
        for try await count in try await connection.query(LeaderSQL.leaderHoldsLock(dutyKey: dutyKey), logger: logger).decode(Int.self) {
            return count == 1
        }
        return false
    }

    public static func elect(on connection: PostgresConnection, duty: String, holder: String, logger: Logger) async throws -> Int64 {
        for try await term in try await connection.query(LeaderSQL.leaderElect(duty: duty, holder: holder), logger: logger).decode(
            Int64.self)
        {
            return term
        }
        throw StoreError.corruptRow("leader election returned no term")
    }

    /// False when the term is no longer this node's.
    public static func renew(on connection: PostgresConnection, fence: LeaderFence, logger: Logger) async throws -> Bool {
        let query = LeaderSQL.leaderRenew(duty: fence.duty, term: fence.term, holder: fence.holder)
        for try await _ in try await connection.query(query, logger: logger) { return true }
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
