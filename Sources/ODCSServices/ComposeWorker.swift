import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSStore
import ODCSVolume
import ServiceLifecycle

/// Claims waiting composes and generates them (design §5).
///
/// Up to `slots` composes at once (`num_concurrent_pungi`; 0 makes an API-only node). Wakes
/// on `LISTEN odcs_wait` and polls every `pollInterval` as well, so a lost notification costs
/// one poll. Every claim commits before work starts; the heartbeat refreshes all leases every
/// `leaseTimeout / 3`; a lease found lost interrupts its generation, which then publishes
/// nothing. On graceful shutdown it stops claiming, lets generations finish for up to
/// `drainTimeout`, then hands the rest back to `wait`.
///
/// Metrics: `odcs_claims_total`, `odcs_claim_latency_seconds` (claimable → claimed),
/// `odcs_lease_lost_total`, `odcs_reuse_hits_total`, `odcs_generation_seconds`,
/// `odcs_leases_released_total`, `odcs_generating`, `odcs_space_refused_total`,
/// `odcs_db_retries_total{operation,kind}` (claim, resolve, reuse, heartbeat, lease_check,
/// finish, release: passing database faults retried with back-off, `DatabaseRetry`; none of
/// them fails a compose).
public struct ComposeWorker: Service {
    public struct Configuration: Sendable {
        public var nodeID: String
        /// This node's host name, for upstream's "on backend <host>" failure text.
        public var hostName: String
        public var slots: Int = 2
        public var pollInterval: Duration = .seconds(2)
        public var leaseTimeout: Duration = .seconds(45)
        /// `pungi_timeout`: a generation running longer fails.
        public var generationTimeout: Duration = .seconds(3600)
        /// Cluster-wide cap on leased composes (`max_generating`); nil: none.
        public var clusterCap: Int?
        /// LISTEN for wake-ups; false polls only (connection poolers in transaction mode).
        public var listen: Bool = true
        public var drainTimeout: Duration = .seconds(300)
        public var targetDirectories: TargetDirectories
        /// The API's field rules, applied again to the stored compose and to what `resolve`
        /// made of it (a `pungi_compose` takes its arches and sigkeys from another server):
        /// a value an older version stored, or a remote document gave, never reaches a path.
        public var fieldRules = ComposeFieldRules(policy: RequestPolicy())

        public init(nodeID: String, hostName: String, targetDirectories: TargetDirectories) {
            self.nodeID = nodeID
            self.hostName = hostName
            self.targetDirectories = targetDirectories
        }

        /// Upstream's rule fails a compose generating for more than twice `pungi_timeout`;
        /// the lease deadline is the same bound, enforced by the rescue sweep.
        var deadlineSeconds: Int { 2 * generationTimeout.wholeSeconds }
    }

    let configuration: Configuration
    let queue: ComposeQueue
    let generators: GeneratorSet
    let connector: DatabaseConnector?
    let metrics: ServiceMetrics
    let logger: Logger
    /// Checks each compose's volume before its packages are placed (nil: no check).
    let room: VolumeRoom?
    let jobs = ActiveJobs()

    public init(
        configuration: Configuration, queue: ComposeQueue, generators: GeneratorSet, connector: DatabaseConnector?,
        metrics: ServiceMetrics, logger: Logger, room: VolumeRoom? = nil
    ) {
        self.configuration = configuration
        self.queue = queue
        self.generators = generators
        self.connector = connector
        self.metrics = metrics
        self.logger = logger
        self.room = room
    }

    public func run() async throws {
        guard configuration.slots > 0 else {
            logger.info("num_concurrent_pungi is 0: this node generates no composes")
            try? await gracefulShutdown()
            return
        }
        let wake = WakeSignal()
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await listen(wake) }
            background.addTask { await heartbeatLoop() }
            background.addTask {
                await PeriodicTask.run(every: configuration.pollInterval, name: "poll", logger: logger) { wake.signal() }
            }
            await withGracefulShutdownHandler {
                await claimLoop(wake)
            } onGracefulShutdown: {
                wake.finish()
            }
            background.cancelAll()
        }
        logger.info("compose worker stopped")
    }

    /// Claims while slots are free, then waits for a wake-up. After the wake stream ends
    /// (graceful shutdown), waits for running generations, interrupting them with `.drain`
    /// once the drain timeout passes.
    func claimLoop(_ wake: WakeSignal) async {
        let drainTimer = await withDiscardingTaskGroup(returning: Task<Void, any Error>?.self) { group in
            wake.signal()
            for await _ in wake.stream {
                // A node that is not on the cluster's volume claims nothing (VolumeIdentityCheck).
                while !Task.isShuttingDownGracefully && configuration.targetDirectories.trust.isTrusted {
                    let free = configuration.slots - (await jobs.count)
                    guard free > 0 else { break }
                    let claims: [ClaimedCompose]
                    do {
                        let started = ContinuousClock.now
                        claims = try await DatabaseRetry(limit: configuration.leaseTimeout / 3, metrics: metrics).run(
                            "claim", logger: logger
                        ) {
                            try await queue.claim(
                                node: configuration.nodeID, limit: free, deadlineSeconds: configuration.deadlineSeconds,
                                clusterCap: configuration.clusterCap)
                        }
                        metrics.claimQuery.record(duration: ContinuousClock.now - started)
                    } catch {
                        logger.warning("claim failed", metadata: ["error": "\(String(reflecting: error))"])
                        break
                    }
                    for claim in claims {
                        let interrupts = await jobs.add(claim.lease)
                        metrics.activeGenerations.record(await jobs.count)
                        group.addTask {
                            await runJob(claim, interrupts: interrupts)
                            await room?.reservations.release(claim.lease.composeID)
                            await jobs.remove(claim.lease.composeID)
                            metrics.activeGenerations.record(await jobs.count)
                            wake.signal()
                        }
                    }
                    if claims.count < free { break }
                }
            }
            let running = await jobs.count
            guard running > 0 else { return nil }
            logger.info("draining", metadata: ["generating": "\(running)", "drain_timeout": "\(configuration.drainTimeout)"])
            let active = jobs
            let timeout = configuration.drainTimeout
            return Task {
                try await Task.sleep(for: timeout)
                await active.interruptAll(.drain)
            }
        }
        drainTimer?.cancel()
    }
}
