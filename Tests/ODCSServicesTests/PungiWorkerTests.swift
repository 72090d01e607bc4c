import Foundation
import ODCSCore
import ODCSGenerator
import ODCSServices
import ODCSStore
import ODCSTesting
import ServiceLifecycle
import SystemPackage
import Testing

/// raw_config composes end to end on real PostgreSQL: the worker claims them, PungiGenerator
/// checks out a real git repository and runs the pungi-koji stand-in, the worker publishes
/// and records the productmd id and config dump; the second compose of the line takes the
/// next respin (looked up in the database) and the `latest-` link, and expiry then removes
/// the first but keeps the newest.
@Suite struct PungiWorkerTests {
    static let standin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pungi-koji-standin").path

    func git(_ arguments: [String], in directory: String) async throws {
        try await TestCommand.run(
            ["/usr/bin/git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", directory] + arguments)
    }

    func generator(_ factory: ComposeFactory, repository: String) -> PungiGenerator {
        var configuration = PungiGenerator.Configuration()
        configuration.pungiKoji = Self.standin
        configuration.rawConfigs = ["pungi_cfg": RawConfigSource(url: repository, configFilename: "pungi.conf")]
        let store = factory.store
        // As the node wires it: each id is reserved in the database before Pungi runs.
        return PungiGenerator(
            configuration: configuration,
            reserveComposeID: { id, composeID in try await store.reservePungiComposeID(id, composeID: composeID) })
    }

    /// A git repository with a Pungi config in `pungi.conf` on branch `main`, next to `target`.
    func configRepository(next target: TemporaryTargetDir) async throws -> String {
        let repository = target.path + "-config"
        try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        try await git(["init", "--quiet", "-b", "main"], in: repository)
        try "release_name = 'compose'\nrelease_short = 'compose'\nrelease_version = '1'\n".write(
            toFile: repository + "/pungi.conf", atomically: true, encoding: .utf8)
        try await git(["add", "pungi.conf"], in: repository)
        try await git(["commit", "--quiet", "-m", "config"], in: repository)
        return repository
    }

    func waitFor(_ factory: ComposeFactory, _ id: Int64) async throws -> Compose {
        while true {
            let compose = try await factory.compose(id)
            if compose.state == .done || compose.state == .failed { return compose }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test(.timeLimit(.minutes(2))) func rawConfigComposesOfOneLine() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        let repository = try await configRepository(next: target)
        defer { try? FileManager.default.removeItem(atPath: repository) }

        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            var configuration = ComposeWorker.Configuration(
                nodeID: "test-node", hostName: "test-host", targetDirectories: target.directories)
            configuration.pollInterval = .milliseconds(50)
            configuration.leaseTimeout = .seconds(10)
            let worker = ComposeWorker(
                configuration: configuration, queue: factory.queue,
                generators: GeneratorSet([.rawConfig: generator(factory, repository: repository)]), connector: nil, metrics: .shared,
                logger: testLogger)

            func insert() async throws -> Compose {
                try await factory.insert {
                    $0.sourceType = .rawConfig
                    $0.source = "pungi_cfg#main"
                    $0.builds = nil
                    $0.composeType = "production"
                    $0.label = "Alpha-0.1"
                }
            }
            let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
            let (first, second) = try await withThrowingTaskGroup(of: (Compose, Compose)?.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return nil
                }
                let first = try await waitFor(factory, try await insert().id)
                let second = try await waitFor(factory, try await insert().id)
                await group.triggerGracefulShutdown()
                for try await _ in tasks {}
                return (first, second)
            }

            let date = Self.today()
            #expect(first.state == .done, "\(first.stateReason ?? "")")
            #expect(first.pungiComposeID == "compose-1-\(date).0")
            #expect(second.pungiComposeID == "compose-1-\(date).1")
            let dump = try #require(second.pungiConfigDump)
            #expect(dump.contains(#""release_name": "compose""#))
            #expect(target.exists("odcs-\(second.id)/pungi-stdout.log"))
            let latest = FilePath(target.path).appending("production/latest-compose-1-Alpha-0.1").string
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: latest) == "../odcs-\(second.id)")
            #expect(target.exists("production/compose-1-\(date).0/COMPOSE_ID"))

            // Both past their expiry: the first goes, links and all; the newest of the line stays.
            try await factory.expire(first.id)
            try await factory.expire(second.id)
            var expiry = ExpiryWorker.Configuration(targetDirectories: target.directories)
            expiry.batchSize = 10
            #expect(
                try await ExpiryWorker(configuration: expiry, sweeps: factory.sweeps, metrics: .shared, logger: testLogger).runOnce() == [
                    first.id
                ])
            #expect(!target.exists("odcs-\(first.id)"))
            #expect(!target.exists("production/compose-1-\(date).0"))
            #expect(target.exists("odcs-\(second.id)/COMPOSE_ID"))
            #expect(try await factory.compose(second.id).state == .done)
        }
    }

    /// Two composes of one line claimed together run Pungi at the same time (two slots): each
    /// reserves its productmd id in the database before pungi-koji runs, so they get two
    /// respins rather than one id twice.
    @Test(.timeLimit(.minutes(2))) func twoComposesOfOneLineAtOnceGetTwoRespins() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        let repository = try await configRepository(next: target)
        defer { try? FileManager.default.removeItem(atPath: repository) }

        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            var ids: [Int64] = []
            for _ in 0..<2 {
                ids.append(
                    try await factory.insert {
                        $0.sourceType = .rawConfig
                        $0.source = "pungi_cfg#main"
                        $0.builds = nil
                        $0.composeType = "test"
                    }.id)
            }
            var configuration = ComposeWorker.Configuration(
                nodeID: "test-node", hostName: "test-host", targetDirectories: target.directories)
            configuration.pollInterval = .milliseconds(50)
            configuration.slots = 2
            let worker = ComposeWorker(
                configuration: configuration, queue: factory.queue,
                generators: GeneratorSet([.rawConfig: generator(factory, repository: repository)]), connector: nil, metrics: .shared,
                logger: testLogger)
            let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
            let done = try await withThrowingTaskGroup(of: [Compose]?.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return nil
                }
                var done: [Compose] = []
                for id in ids { done.append(try await waitFor(factory, id)) }
                await group.triggerGracefulShutdown()
                for try await _ in tasks {}
                return done
            }
            let date = Self.today()
            #expect(done.allSatisfy { $0.state == .done }, "\(done.map { $0.stateReason ?? "" })")
            #expect(Set(done.compactMap(\.pungiComposeID)) == ["compose-1-\(date).t.0", "compose-1-\(date).t.1"])
        }
    }

    static func today() -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: .current, from: Date())
        return String(format: "%04d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
