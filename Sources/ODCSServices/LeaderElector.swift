import Logging
import ODCSCore
import ODCSStore
import ServiceLifecycle

/// Elects this node leader of one duty with a session advisory lock on a dedicated
/// connection (design §5), and runs the duty while it leads.
///
/// On winning the lock it bumps the duty's `term` in `leader` (the fencing token the duty's
/// writes check). Every `checkInterval` it verifies, on that same connection and within a
/// time limit, that the lock is still held and the term still its own; any error, a timeout
/// or a lost term makes it step down at once (cancel the duty, close the connection, which
/// releases the lock in PostgreSQL). It never re-acquires a lock it holds. A node that dies
/// loses its connection, and with it the lock: another node takes the duty at its next try.
/// A node that is paused or hung keeps its connection, but PostgreSQL closes it after
/// `sessionLease` without a statement (`idle_session_timeout`), so the duty moves then.
///
/// Metrics: `odcs_leader{duty}` (1 while leading), `odcs_leader_elections_total`.
public struct LeaderElector: Service {
    public struct Configuration: Sendable {
        public var nodeID: String
        public var duty: String
        /// The duty's session advisory lock.
        public var lock: AdvisoryLock
        public var checkInterval: Duration = .seconds(3)
        /// How often a follower tries the lock.
        public var retryInterval: Duration = .seconds(3)

        /// The duty's lease: PostgreSQL closes the lock connection (releasing the lock) after
        /// this long without a statement on it, so a paused or hung leader blocks its duty for
        /// no longer than this plus a follower's retry. Three checks, as a compose lease is
        /// three heartbeats, and never under 5 s (a starved but live leader keeps its duty).
        public var sessionLease: Duration { max(max(checkInterval, retryInterval) * 3, .seconds(5)) }

        public init(nodeID: String, duty: String, lock: AdvisoryLock) {
            self.nodeID = nodeID
            self.duty = duty
            self.lock = lock
        }
    }

    struct LostLeadership: Error, CustomStringConvertible {
        var description: String
    }

    public let configuration: Configuration
    let connector: DatabaseConnector
    let duty: any LeaderDuty
    let metrics: ServiceMetrics
    let logger: Logger

    public init(configuration: Configuration, connector: DatabaseConnector, duty: any LeaderDuty, metrics: ServiceMetrics, logger: Logger) {
        self.configuration = configuration
        self.connector = connector
        self.duty = duty
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "duty"] = "\(configuration.duty)"
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await campaign()
        }
        metrics.leader(duty: configuration.duty).record(0)
    }

    func campaign() async {
        while !Task.isCancelled {
            do {
                try await connector.withSession(logger: logger) { session in
                    try await limitIdleSession(session)
                    while !Task.isCancelled {
                        if try await withTimeout({ try await LeaderStore.tryLock(configuration.lock, on: session) }) {
                            try await lead(on: session)
                            return  // close the connection: the lock goes with it
                        }
                        try await Task.sleep(for: configuration.retryInterval)
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.info("leadership ended", metadata: ["error": "\(String(reflecting: error))"])
            }
            metrics.leader(duty: configuration.duty).record(0)
            try? await Task.sleep(for: configuration.retryInterval)
        }
    }

    /// Sets the session lease on the lock connection (PostgreSQL 14 and newer; older servers
    /// keep a paused leader's lock until its connection drops, see docs/operations.md).
    func limitIdleSession(_ session: DatabaseSession) async throws {
        let milliseconds = Int(configuration.sessionLease.inSeconds * 1000)
        let limited = try await withTimeout {
            try await LeaderStore.limitIdleSession(milliseconds: milliseconds, on: session)
        }
        if !limited { logger.debug("PostgreSQL older than 14: no idle_session_timeout on the lock connection") }
    }

    /// Leads until the duty ends, the check fails or the task is cancelled.
    func lead(on session: DatabaseSession) async throws {
        let term = try await withTimeout {
            try await LeaderStore.elect(duty: configuration.duty, holder: configuration.nodeID, on: session)
        }
        let fence = LeaderFence(duty: configuration.duty, term: term, holder: configuration.nodeID)
        metrics.leaderChanges.increment()
        metrics.leader(duty: configuration.duty).record(1)
        logger.info("elected leader", metadata: ["term": "\(term)"])
        defer { logger.info("stepped down", metadata: ["term": "\(term)"]) }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await duty.run(fence: fence) }
            group.addTask {
                while true {
                    try await Task.sleep(for: configuration.checkInterval)
                    let held = try await withTimeout {
                        guard try await LeaderStore.holdsLock(configuration.lock, on: session) else { return false }
                        return try await LeaderStore.renew(fence, on: session)
                    }
                    guard held else { throw LostLeadership(description: "lock or term of \(configuration.duty) lost") }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// A check that does not answer within the check interval counts as a failure (a
    /// half-open connection must not keep a node believing it leads).
    func withTimeout<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await Deadline.run(configuration.checkInterval, operation)
        } catch let error as Deadline.Exceeded {
            throw LostLeadership(description: "database check: \(error)")
        }
    }
}
