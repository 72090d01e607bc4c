import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSStore
import ODCSVolume
import SystemPackage

/// One claimed compose from resolve to its fenced final state.
extension ComposeWorker {
    enum Outcome: Sendable {
        case generated(GenerationResult)
        case failed(String)
        case timedOut
        case interrupted(JobInterrupt)
    }

    func runJob(_ claim: ClaimedCompose, interrupts: AsyncStream<JobInterrupt>) async {
        let lease = claim.lease
        let logger = { [logger = self.logger] in
            var logger = logger
            logger[metadataKey: "compose_id"] = "\(lease.composeID)"
            logger[metadataKey: "attempt"] = "\(lease.attempt)"
            return logger
        }()
        metrics.claims.increment()
        metrics.claimLatency.recordSeconds(claim.queuedSeconds)
        logger.info("claimed", metadata: ["source_type": "\(claim.compose.sourceType.name)", "queued_s": "\(claim.queuedSeconds)"])

        let compose = claim.compose
        // Every file call on the volume below runs on BlockingIO's threads, never inline.
        guard let layout = configuration.targetDirectories.layout(for: compose),
            (try? await BlockingIO.lookup.run({ layout.exists })) == true
        else {
            await fail(
                lease, compose: compose,
                message:
                    "Compose target dir doesn't exist or not a directory: \(compose.targetDir ?? configuration.targetDirectories.defaultDir.string) on backend \(configuration.hostName)",
                logger: logger)
            return
        }
        let generator = generators.generator(for: compose.sourceType) ?? UnsupportedGenerator()

        let resolved: Compose
        let decision: ReuseDecision
        do {
            try checkFields(compose)
            let retry = DatabaseRetry(limit: configuration.leaseTimeout, metrics: metrics)
            resolved = try await retry.run("resolve", logger: logger) { try await generator.resolve(compose, logger: logger) }
            try checkFields(resolved)
            decision = try await retry.run("reuse", logger: logger) {
                try await queue.decideReuse(lease, resolved: resolved) { candidate in
                    try await generator.isReusable(candidate, for: resolved, logger: logger)
                }
            }
        } catch StoreError.leaseLost {
            metrics.leaseLosses.increment()
            logger.warning("lease lost before generation")
            return
        } catch let error where DatabaseRetry.isPassing(error) {
            // The database stayed away for a whole lease: not the compose's fault. Hand it
            // back (if that fails too, the rescue takes the lease back later).
            let released = await retrying("release", logger: logger) { try await queue.release(lease) } ?? false
            if released { metrics.released.increment() }
            logger.warning(
                "database unavailable before generation: compose handed back to wait",
                metadata: ["released": "\(released)", "error": "\(String(reflecting: error))"])
            return
        } catch {
            await fail(lease, compose: compose, message: Self.describe(error), logger: logger)
            return
        }
        switch decision {
        case .reusedDone(let reusedID):
            metrics.reuseHits.increment()
            logger.info("reused a done compose", metadata: ["reused_id": "\(reusedID)"])
            return
        case .following(let reusedID):
            metrics.reuseHits.increment()
            logger.info("follows a generating compose", metadata: ["reused_id": "\(reusedID)"])
            return
        case .generate:
            break
        }

        let started = ContinuousClock.now
        let staging: FilePath
        do {
            let attempt = lease.attempt
            staging = try await BlockingIO.lookup.run { try layout.makeStaging(id: compose.id, attempt: attempt) }
        } catch {
            await fail(lease, compose: compose, message: Self.describe(error), logger: logger)
            return
        }
        let context = GenerationContext(
            compose: resolved, attempt: lease.attempt, staging: staging,
            targetDirURL: configuration.targetDirectories.url(for: compose), logger: logger,
            space: room.map { ComposeSpace(room: $0, layout: layout, composeID: compose.id, metrics: metrics) },
            headerCache: layout.headerCache, kojiListingCache: layout.kojiListingCache)
        let outcome = await generate(context, generator: generator, interrupts: interrupts)
        let timer = { (name: String) in
            metrics.generationTime(sourceType: compose.sourceType.name, outcome: name).record(duration: ContinuousClock.now - started)
        }

        switch outcome {
        case .generated(let result):
            timer("done")
            await publishDone(lease, staging: staging, layout: layout, result: result, logger: logger)
        case .failed(let message):
            timer("failed")
            await publishFailed(lease, compose: compose, staging: staging, layout: layout, message: message, logger: logger)
        case .timedOut:
            timer("failed")
            let message =
                "Compose has taken more time than allowed by configuration (\(configuration.generationTimeout.wholeSeconds) seconds)"
            await publishFailed(lease, compose: compose, staging: staging, layout: layout, message: message, logger: logger)
        case .interrupted(.leaseLost):
            await Self.discard(staging, layout: layout)
            metrics.leaseLosses.increment()
            logger.warning("lease lost: generation stopped, nothing published")
        case .interrupted(.drain):
            await Self.discard(staging, layout: layout)
            let released = await retrying("release", logger: logger) { try await queue.release(lease) } ?? false
            if released { metrics.released.increment() }
            logger.info("drain: compose handed back to wait", metadata: ["released": "\(released)"])
        }
    }

    /// Races the generation against the timeout and the job's interrupts; the losers are
    /// cancelled (a generator's child processes die with their process group). The generator
    /// runs on `GenerationExecutor`, off the threads that serve the node's requests.
    func generate(_ context: GenerationContext, generator: any ComposeGenerator, interrupts: AsyncStream<JobInterrupt>) async -> Outcome {
        let timeout = configuration.generationTimeout
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask(executorPreference: GenerationExecutor.shared) {
                do {
                    return .generated(try await generator.generate(context))
                } catch {
                    return Task.isCancelled ? nil : .failed(Self.describe(error))
                }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .timedOut
            }
            group.addTask {
                for await interrupt in interrupts { return .interrupted(interrupt) }
                return nil
            }
            var outcome: Outcome?
            while outcome == nil, let next = await group.next() { outcome = next }
            group.cancelAll()
            return outcome ?? .interrupted(.leaseLost)
        }
    }

    func publishDone(_ lease: Lease, staging: FilePath, layout: VolumeLayout, result: GenerationResult, logger: Logger) async {
        let noCompose: Compose? = nil
        do {
            // The common case: nothing published yet, one rename. A directory already there is
            // an earlier attempt's (or, if this lease was lost, a later attempt's): replace it
            // only after checking that the lease is still this worker's.
            let id = lease.composeID
            if try await !BlockingIO.lookup.run({ try layout.publishIfAbsent(staging: staging, id: id) }) {
                guard await stillHeld(lease) else {
                    await Self.discard(staging, layout: layout)
                    metrics.leaseLosses.increment()
                    logger.warning("lease lost before publishing: nothing published")
                    return
                }
                try await BlockingIO.lookup.run { try layout.publish(staging: staging, id: id) }
            }
        } catch {
            await publishFailed(lease, compose: noCompose, staging: staging, layout: layout, message: Self.describe(error), logger: logger)
            return
        }
        let committed = await retrying("finish", logger: logger) {
            try await queue.finishDone(
                lease, pungiComposeID: result.pungiComposeID,
                updates: ComposeDoneUpdates(
                    source: result.source, arches: result.arches, sigkeys: result.sigkeys, pungiConfigDump: result.pungiConfigDump))
        }
        if committed == true {
            logger.info("done")
        } else {
            metrics.leaseLosses.increment()
            logger.warning("lease lost at done: the published directory belongs to the next attempt")
        }
    }

    /// A failed compose keeps its logs for its TTL, like upstream's; what the generation had
    /// put in its trees is deleted first, so that no package of a failed compose is served.
    func publishFailed(
        _ lease: Lease, compose: Compose?, staging: FilePath, layout: VolumeLayout, message: String, logger: Logger
    ) async {
        if await stillHeld(lease) {
            let id = lease.composeID
            _ = try? await BlockingIO.bulk.run {
                layout.stripFailed(staging)
                try? "\(message)\n".write(toFile: staging.appending("odcs-error.log").string, atomically: false, encoding: .utf8)
                if (try? layout.publish(staging: staging, id: id)) == nil { layout.discard(staging) }
            }
        } else {
            await Self.discard(staging, layout: layout)
        }
        await fail(lease, compose: compose, message: message, logger: logger)
    }

    func fail(_ lease: Lease, compose: Compose?, message: String, logger: Logger) async {
        var reason = "Error while generating compose: \(message)"
        if configuration.targetDirectories.isDefault(stored: compose?.targetDir) {
            // Upstream shows URLs, not paths of the default target dir (also when the compose
            // is unknown here: the default is the only dir a caller could read about).
            reason = reason.replacingOccurrences(
                of: configuration.targetDirectories.defaultDir.string, with: configuration.targetDirectories.defaultURL)
        }
        let committed = await retrying("finish", logger: logger) { [reason] in try await queue.finishFailed(lease, reason: reason) }
        if committed == true {
            logger.info("failed", metadata: ["reason": "\(reason)"])
        } else {
            metrics.leaseLosses.increment()
            logger.warning("lease lost at failed", metadata: ["reason": "\(reason)"])
        }
    }

    func stillHeld(_ lease: Lease) async -> Bool {
        await retrying("lease_check", logger: logger) { try await queue.heartbeat([lease]).contains(lease.composeID) } ?? false
    }

    /// Retries a fenced write through database hiccups (a restart, a failover, a deadlock) for
    /// up to one lease timeout; after that the lease may be rescued anyway, and the fence
    /// decides. Retries every error: only the fence may refuse these writes.
    func retrying<R: Sendable>(_ operation: String, logger: Logger, _ body: @escaping @Sendable () async throws -> R) async -> R? {
        do {
            return try await DatabaseRetry(limit: configuration.leaseTimeout, metrics: metrics).run(
                operation, logger: logger, retryAll: true, body)
        } catch {
            logger.error("giving up on a fenced write", metadata: ["operation": "\(operation)", "error": "\(String(reflecting: error))"])
            return nil
        }
    }

    func checkFields(_ compose: Compose) throws {
        do {
            try configuration.fieldRules.check(NewCompose(copying: compose, owner: compose.owner, secondsToLive: 1))
        } catch {
            throw GeneratorError("The compose has a value this node refuses to use: \(error.message)")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? GeneratorError { return error.message }
        return String(describing: error)
    }

    /// Refreshes every lease of this node; interrupts generations whose lease is gone.
    func heartbeatLoop() async {
        let interval = configuration.leaseTimeout / 3
        // Runs through the drain: the composes finishing then still need their leases.
        await PeriodicTask.run(every: interval, name: "heartbeat", logger: logger, untilCancelled: true) {
            let leases = await jobs.leases
            guard !leases.isEmpty else { return }
            // Retried within the interval: a deadlock or a dropped connection must not leave
            // the leases a whole interval older.
            let held = try await DatabaseRetry(limit: interval, metrics: metrics).run("heartbeat", logger: logger) {
                try await queue.heartbeat(leases)
            }
            for lease in leases where !held.contains(lease.composeID) {
                await jobs.interrupt(lease.composeID, .leaseLost)
            }
        }
    }

    /// LISTEN `odcs_wait` (see `DatabaseConnector.listen`): every notification wakes the claim loop.
    func listen(_ wake: WakeSignal) async {
        guard configuration.listen, let connector else { return }
        await connector.listen(channel: .wait, logger: logger) { wake.signal() }
    }
}

extension ComposeWorker {
    /// Deletes a staging directory on BlockingIO's threads (a tree of packages takes a while).
    static func discard(_ staging: FilePath, layout: VolumeLayout) async {
        _ = try? await BlockingIO.bulk.run { layout.discard(staging) }
    }
}
