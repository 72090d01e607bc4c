import Logging
import ServiceLifecycle
import Testing

@testable import ODCSNode

/// `BoundedShutdown`: a service that returns on its graceful shutdown is waited for; one that
/// does not is left behind once its limit has passed, so that the group (and the node) ends.
@Suite struct BoundedShutdownTests {
    /// Ignores graceful shutdown and cancellation alike until the test releases it.
    struct Stuck: Service {
        let release: AsyncStream<Void>
        let started: AsyncStream<Void>.Continuation

        func run() async throws {
            started.yield()
            let release = release
            await Task { for await _ in release {} }.value
        }
    }

    /// Returns as soon as a graceful shutdown reaches it.
    struct Prompt: Service {
        let started: AsyncStream<Void>.Continuation

        func run() async throws {
            started.yield()
            try await gracefulShutdown()
        }
    }

    static let logger = Logger(label: "test")

    func runGroup(_ service: BoundedShutdown, started: AsyncStream<Void>) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [service], gracefulShutdownSignals: [], logger: Self.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = started.makeAsyncIterator()
            _ = await iterator.next()
            await group.triggerGracefulShutdown()
            // The group ends: the test's time limit is the hang guard.
            try await tasks.waitForAll()
        }
    }

    @Test(.timeLimit(.minutes(1))) func aServiceStuckInItsShutdownIsLeftBehindAfterTheLimit() async throws {
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        let (started, start) = AsyncStream.makeStream(of: Void.self)
        let stuck = Stuck(release: release, started: start)
        try await runGroup(BoundedShutdown(service: stuck, name: "Stuck", limit: .milliseconds(100), logger: Self.logger), started: started)
        releaser.finish()
    }

    @Test(.timeLimit(.minutes(1))) func aServiceThatStopsIsWaitedForAndNotForTheLimit() async throws {
        let (started, start) = AsyncStream.makeStream(of: Void.self)
        // A limit far past the test's time limit: the group ends only because the service did.
        try await runGroup(
            BoundedShutdown(service: Prompt(started: start), name: "Prompt", limit: .seconds(3600), logger: Self.logger),
            started: started)
    }
}
