import Logging
import Metrics
import ODCSCore
import ODCSStore
import ServiceLifecycle

/// Delivers the outbox's compose events to every configured backend, on every node: claims
/// the head event of up to `batchSize` composes (`OutboxStore.publishBatch`: SKIP LOCKED, one
/// compose's events in order), renders upstream's message, hands the batch to each backend
/// that has not confirmed it yet, and records what was confirmed. An event some backend did
/// not confirm is retried after an exponential back-off (`retryBackoff` × 2^attempts, capped
/// at `maxBackoff`) and holds back that compose's later events until it goes through.
///
/// Wakes on `LISTEN odcs_outbox` (the trigger notifies) and polls every `pollInterval`.
///
/// Metrics: `odcs_events_published_total{backend}`, `odcs_event_publish_failures_total{backend}`.
public struct OutboxPublisher: Service {
    public struct Configuration: Sendable {
        public var batchSize: Int = 200
        public var pollInterval: Duration = .milliseconds(500)
        public var retryBackoff: Duration = .seconds(1)
        public var maxBackoff: Duration = .seconds(300)
        public var listen: Bool = true

        public init() {}
    }

    let configuration: Configuration
    let outbox: OutboxStore
    let backends: [any EventBackend]
    let renderer: ComposeJSONRenderer
    let connector: DatabaseConnector?
    let logger: Logger

    public init(
        configuration: Configuration, outbox: OutboxStore, backends: [any EventBackend], renderer: ComposeJSONRenderer,
        connector: DatabaseConnector?, logger: Logger
    ) {
        self.configuration = configuration
        self.outbox = outbox
        self.backends = backends
        self.renderer = renderer
        self.connector = connector
        self.logger = logger
    }

    /// With no backend configured the publisher still runs: it marks each event published
    /// (every configured backend — none — has it), so that the pruner can delete it once the
    /// event stream no longer needs it. Every node must therefore share one messaging
    /// configuration, as they share the rest. Nobody waits for that, so it only polls: woken
    /// by every insert's notification it marked a few events a statement, a fifth of what
    /// PostgreSQL spent on a POST under load (issue 18).
    public func run() async throws {
        let wake = WakeSignal()
        await withTaskGroup(of: Void.self) { group in
            if configuration.listen, !backends.isEmpty, let connector {
                group.addTask {
                    await connector.listen(channel: .outbox, logger: logger) { wake.signal() }
                }
            }
            group.addTask {
                await PeriodicTask.run(
                    every: configuration.pollInterval, name: "outbox poll", logger: logger, initialDelay: configuration.pollInterval,
                    untilCancelled: true
                ) { wake.signal() }
            }
            group.addTask {
                for await _ in wake.stream {
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    await drain()
                }
            }
            await withGracefulShutdownHandler {
                await group.next()
            } onGracefulShutdown: {
                wake.finish()
            }
            group.cancelAll()
        }
    }

    /// Publishes until a claim comes back short of a full batch.
    func drain() async {
        while !Task.isCancelled {
            do {
                let claimed = try await publishOnce()
                if claimed < configuration.batchSize { return }
            } catch {
                if Task.isCancelled { return }
                logger.warning("Publishing events failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                return
            }
        }
    }

    /// One batch; returns how many events were claimed.
    @discardableResult
    public func publishOnce() async throws -> Int {
        let backends = backends
        let renderer = renderer
        let configuration = configuration
        let logger = logger
        // Nobody to deliver to: mark the events without claiming, decoding or rendering them.
        guard !backends.isEmpty else { return try await outbox.markPublished(limit: configuration.batchSize) }
        return try await outbox.publishBatch(limit: configuration.batchSize) { events in
            let messages = events.map { EventMessage($0, renderer: renderer) }
            var delivered = events.map { Set($0.delivered) }
            var errors = [String?](repeating: nil, count: events.count)
            for backend in backends {
                let pending = events.indices.filter { !delivered[$0].contains(backend.name) }
                guard !pending.isEmpty else { continue }
                let results = await backend.deliver(pending.map { messages[$0] })
                var failures = 0
                for (index, result) in zip(pending, results) {
                    if let result {
                        errors[index] = errors[index].map { "\($0); \(backend.name): \(result)" } ?? "\(backend.name): \(result)"
                        failures += 1
                    } else {
                        delivered[index].insert(backend.name)
                    }
                }
                Counter(label: "odcs_events_published_total", dimensions: [("backend", backend.name)])
                    .increment(by: pending.count - failures)
                if failures > 0 {
                    Counter(label: "odcs_event_publish_failures_total", dimensions: [("backend", backend.name)]).increment(by: failures)
                    logger.warning(
                        "Event backend failed", metadata: ["backend": "\(backend.name)", "failed": "\(failures)", "of": "\(pending.count)"])
                }
            }
            return events.indices.map { index in
                let backoff = min(configuration.maxBackoff, configuration.retryBackoff * (1 << min(events[index].attempts, 20))).inSeconds
                return OutboxOutcome(
                    id: events[index].id, delivered: delivered[index].sorted(), error: errors[index], retryAfterSeconds: backoff)
            }
        }
    }
}

/// Leader duty: deletes published events older than `retention` (the event stream can
/// resume only within it) and records the outbox gauges.
///
/// Metrics: `odcs_outbox_backlog`, `odcs_outbox_oldest_unpublished_seconds`, `odcs_outbox_pruned_total`.
public struct OutboxPruner: LeaderDuty {
    public struct Configuration: Sendable {
        public var interval: Duration = .seconds(15)
        public var retention: Duration = .seconds(86400)

        public init() {}
    }

    public let name = "outbox_pruner"
    let configuration: Configuration
    let outbox: OutboxStore
    let logger: Logger

    public init(configuration: Configuration, outbox: OutboxStore, logger: Logger) {
        self.configuration = configuration
        self.outbox = outbox
        self.logger = logger
    }

    public func run(fence: LeaderFence) async throws {
        try await loop(every: configuration.interval, fence: fence, logger: logger) { _ in try await runOnce() }
    }

    public func runOnce() async throws {
        var pruned = 0
        while true {
            let count = try await outbox.prune(publishedBefore: configuration.retention.wholeSeconds)
            pruned += count
            if count < 10_000 { break }
        }
        if pruned > 0 { Counter(label: "odcs_outbox_pruned_total").increment(by: pruned) }
        let (backlog, oldest) = try await outbox.backlog()
        Gauge(label: "odcs_outbox_backlog").record(backlog)
        Gauge(label: "odcs_outbox_oldest_unpublished_seconds").record(oldest)
    }
}
