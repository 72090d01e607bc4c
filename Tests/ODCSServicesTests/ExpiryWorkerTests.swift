import Foundation
import ODCSCore
import ODCSServices
import ODCSStore
import ODCSTesting
import Testing

@Suite struct ExpiryWorkerTests {
    func worker(_ factory: ComposeFactory, _ target: TemporaryTargetDir, batch: Int = 100) -> ExpiryWorker {
        var configuration = ExpiryWorker.Configuration(targetDirectories: target.directories)
        configuration.batchSize = batch
        return ExpiryWorker(configuration: configuration, sweeps: factory.sweeps, metrics: .shared, logger: testLogger)
    }

    /// A compose generated through the queue, its directory on disk.
    func doneCompose(_ factory: ComposeFactory, _ target: TemporaryTargetDir, builds: String) async throws -> Compose {
        let compose = try await factory.insert(builds: builds)
        let claim = try #require(try await factory.queue.claim(node: "n", limit: 1, deadlineSeconds: 60).first)
        _ = try await factory.queue.decideReuse(claim.lease, resolved: claim.compose) { _ in true }
        try target.makeDirectory("odcs-\(compose.id)/compose")
        _ = try await factory.queue.finishDone(claim.lease, pungiComposeID: nil)
        return try await factory.compose(compose.id)
    }

    @Test func expiredComposeIsRemovedWithItsDirectoryAndNothingElse() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let expired = try await doneCompose(factory, target, builds: "a")
            let alive = try await doneCompose(factory, target, builds: "b")
            try await factory.expire(expired.id)
            #expect(try await worker(factory, target).runOnce() == [expired.id])
            let removed = try await factory.compose(expired.id)
            #expect(removed.state == .removed)
            #expect(removed.stateReason == "Compose is generated successfully\nCompose is expired.")
            #expect(removed.timeRemoved != nil)
            #expect(!target.exists("odcs-\(expired.id)"))
            #expect(target.exists("odcs-\(alive.id)/compose/content"))
            #expect(try await factory.compose(alive.id).state == .done)
            // Idempotent: a second sweep finds nothing.
            #expect(try await worker(factory, target).runOnce().isEmpty)
        }
    }

    @Test func deletedComposeSaysWhoRemovedIt() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await doneCompose(factory, target, builds: "a")
            _ = try await factory.store.expireNow(id: compose.id, removedBy: "root")
            try await factory.execute("UPDATE composes SET time_to_expire = now() - interval '1 second' WHERE id = \(compose.id)")
            _ = try await worker(factory, target).runOnce()
            #expect(try await factory.compose(compose.id).stateReason == "Compose is generated successfully\nRemoved by root.")
        }
    }

    @Test func reusingComposeOwnsNoFiles() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let original = try await doneCompose(factory, target, builds: "a")
            let reusing = try await factory.insert(builds: "a")
            let claim = try #require(try await factory.queue.claim(node: "n", limit: 1, deadlineSeconds: 60).first)
            #expect(
                try await factory.queue.decideReuse(claim.lease, resolved: claim.compose) { _ in true }
                    == .reusedDone(reusedID: original.id))
            try await factory.expire(reusing.id)
            #expect(try await worker(factory, target).runOnce() == [reusing.id])
            #expect(try await factory.compose(reusing.id).stateReason == "Compose is generated successfully\nCompose is expired.")
            #expect(target.exists("odcs-\(original.id)/compose/content"))
        }
    }

    @Test func sweepsInBatchesUntilNothingIsLeft() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            var ids: [Int64] = []
            for index in 0..<7 { ids.append(try await doneCompose(factory, target, builds: "p\(index)").id) }
            for id in ids { try await factory.expire(id) }
            #expect(try await worker(factory, target, batch: 3).runOnce().sorted() == ids)
            for id in ids { #expect(!target.exists("odcs-\(id)")) }
        }
    }

    @Test func newestRawConfigComposeOfALineIsKept() async throws {
        let target = try TemporaryTargetDir()
        defer { target.remove() }
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let compose = try await factory.insert {
                $0.sourceType = .rawConfig; $0.source = "foo#abc"; $0.composeType = "nightly"
            }
            try await factory.execute(
                """
                UPDATE composes SET state = 2, pungi_compose_id = 'compose-1-10-20261127.n.0',
                    time_to_expire = now() - interval '1 second' WHERE id = \(compose.id)
                """)
            try target.makeDirectory("odcs-\(compose.id)")
            try FileManager.default.createDirectory(atPath: target.path + "/nightly", withIntermediateDirectories: true)
            for link in ["compose-1-10-20261127.n.0", "latest-compose-1"] {
                try FileManager.default.createSymbolicLink(
                    atPath: target.path + "/nightly/" + link, withDestinationPath: "../odcs-\(compose.id)")
            }
            #expect(try await worker(factory, target).runOnce().isEmpty)
            #expect(try await factory.compose(compose.id).state == .done)
            #expect(target.exists("odcs-\(compose.id)/content"))

            // Once a newer compose of the line takes `latest-compose-1`, the old one goes, links and all.
            try FileManager.default.removeItem(atPath: target.path + "/nightly/latest-compose-1")
            try target.makeDirectory("odcs-999")
            try FileManager.default.createSymbolicLink(
                atPath: target.path + "/nightly/latest-compose-1", withDestinationPath: "../odcs-999")
            #expect(try await worker(factory, target).runOnce() == [compose.id])
            #expect(!target.exists("odcs-\(compose.id)"))
            #expect(!target.exists("nightly/compose-1-10-20261127.n.0"))
            #expect(target.exists("nightly/latest-compose-1"))
        }
    }
}
