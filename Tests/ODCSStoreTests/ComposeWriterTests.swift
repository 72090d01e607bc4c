import ODCSCore
import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// `ComposeWriter`: concurrent inserts coalesce into one statement, each gets its own
/// compose exactly as a direct insert would, and a failing insert fails only its own request.
@Suite struct ComposeWriterTests {
    func newCompose(owner: String, builds: String) -> NewCompose {
        var compose = NewCompose(owner: owner, sourceType: .build, source: "", secondsToLive: 3600)
        compose.builds = builds
        compose.arches = "x86_64"
        return compose
    }

    @Test func insertsQueuedBehindABusySlotGoTogetherInOneTransaction() async throws {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeStore(client: client, logger: TestDatabase.logger)
            let writer = ComposeWriter(store: store, maxInFlight: 1)
            // Ten requests of three owners (two of them new), each with its own builds.
            let requests = (0..<10).map { newCompose(owner: "owner\($0 % 3)", builds: "pkg\($0)-1.0-1") }

            try await client.withConnection { locker in
                // Holds the table so that the first insert's transaction waits: the others must queue.
                try await locker.query("BEGIN", logger: TestDatabase.logger)
                try await locker.query("LOCK TABLE composes IN SHARE MODE", logger: TestDatabase.logger)
                try await withThrowingTaskGroup(of: (NewCompose, Compose).self) { group in
                    group.addTask { (requests[0], try await writer.insert(requests[0])) }
                    try await waitUntil { writer.transactionCount == 1 }
                    for request in requests.dropFirst() { group.addTask { (request, try await writer.insert(request)) } }
                    try await waitUntil { writer.queuedInserts == requests.count - 1 }
                    try await locker.query("COMMIT", logger: TestDatabase.logger)

                    var ids: Set<Int64> = []
                    for try await (request, compose) in group {
                        ids.insert(compose.id)
                        #expect(compose.owner == request.owner)
                        #expect(compose.builds == request.builds)
                        #expect(compose.state == .wait)
                        // What the API answers is what is stored.
                        #expect(try await store.compose(id: compose.id) == compose)
                    }
                    #expect(ids.count == requests.count)
                }
            }
            // The first insert's transaction, then one for the nine that queued behind it.
            #expect(writer.transactionCount == 2)
            #expect(writer.queuedInserts == 0)
            let owners = try await client.query("SELECT username FROM users ORDER BY username", logger: TestDatabase.logger)
            var names: [String] = []
            for try await name in owners.decode(String.self) { names.append(name) }
            #expect(names == ["owner0", "owner1", "owner2"])

            // A lone insert finds a free slot and runs at once.
            _ = try await writer.insert(newCompose(owner: "owner0", builds: "alone-1.0-1"))
            #expect(writer.transactionCount == 3)
        }
    }

    @Test func aFailingInsertFailsAloneAndTheBatchIsRetriedOneByOne() async throws {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeStore(client: client, logger: TestDatabase.logger)
            // users.username is varchar(200): this owner cannot be recorded.
            let bad = newCompose(owner: String(repeating: "x", count: 201), builds: "bad-1.0-1")
            let good = [newCompose(owner: "alice", builds: "a-1.0-1"), newCompose(owner: "bob", builds: "b-1.0-1")]

            // The batch alone is all or none.
            await #expect(throws: (any Error).self) { try await store.insert(batch: [good[0], bad, good[1]]) }
            #expect(try await store.list(ComposeListQuery()).total == 0)

            // Through the writer, queued together behind a busy slot: the good ones are inserted.
            let writer = ComposeWriter(store: store, maxInFlight: 1)
            let requests = [good[0], bad, good[1]]
            try await client.withConnection { locker in
                try await locker.query("BEGIN", logger: TestDatabase.logger)
                try await locker.query("LOCK TABLE composes IN SHARE MODE", logger: TestDatabase.logger)
                try await withThrowingTaskGroup(of: Result<Compose, any Error>?.self) { group in
                    let blocker = newCompose(owner: "carol", builds: "c-1.0-1")
                    group.addTask {
                        _ = try await writer.insert(blocker); return nil
                    }
                    try await waitUntil { writer.transactionCount == 1 }
                    for request in requests {
                        group.addTask {
                            do { return .success(try await writer.insert(request)) } catch { return .failure(error) }
                        }
                    }
                    try await waitUntil { writer.queuedInserts == requests.count }
                    try await locker.query("COMMIT", logger: TestDatabase.logger)
                    var inserted: [String] = []
                    var failures = 0
                    for try await result in group {
                        switch result {
                        case .success(let compose)?: inserted.append(compose.owner)
                        case .failure?: failures += 1
                        case nil: break
                        }
                    }
                    #expect(inserted.sorted() == ["alice", "bob"])
                    #expect(failures == 1)
                }
            }
            #expect(writer.transactionCount == 2)
            #expect(try await store.list(ComposeListQuery()).total == 3)
        }
    }

    /// `ComposeInsert` sends each column as one array, nullable ones with NULL elements: every
    /// field of every request comes back as given, set or NULL, in the order given.
    @Test func aBatchStoresEveryFieldOfEachRequestNullsIncluded() async throws {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeStore(client: client, logger: TestDatabase.logger)
            var full = NewCompose(owner: "full", sourceType: .module, source: "mod:1:2:c0ffee", secondsToLive: 7200)
            full.results = [.repository, .iso]
            full.flags = [.noDeps, .noInheritance]
            (full.packages, full.builds, full.sigkeys, full.kojiEvent) = ("a b", "b-1-1", "key1 key2", 9_000_000_001)
            (full.arches, full.multilibArches, full.multilibMethod, full.lookasideRepos) = ("x86_64 ppc64le", "i686", 3, "repo1")
            (full.modularKojiTags, full.moduleDefaultsURL, full.label, full.composeType) = ("t1", "https://x/y.git", "RC-1", "nightly")
            (full.targetDir, full.scratchModules, full.parentPungiComposeIDs) = ("private", "m:s", "p-1")
            (full.scratchBuildTasks, full.modules, full.respinOf) = ("1 2", "m1 m2", "r-1")
            (full.baseModuleBrName, full.baseModuleBrStream) = ("platform", "f40")
            (full.baseModuleBrStreamVersionLte, full.baseModuleBrStreamVersionGte) = (400_100, 390_000)
            full.pungiConfigDump = "dump"
            // Every optional field NULL (those with a default included).
            var bare = NewCompose(owner: "bare", sourceType: .tag, source: "f40-build", secondsToLive: 60)
            (bare.multilibArches, bare.multilibMethod, bare.lookasideRepos, bare.composeType) = (nil, nil, nil, nil)
            let requests = [bare, full, bare, full]

            let inserted = try await store.insert(batch: requests)
            #expect(inserted.map(\.id) == inserted.map(\.id).sorted())
            for (request, compose) in zip(requests, inserted) {
                let stored = try #require(try await store.compose(id: compose.id))
                #expect(stored == compose)
                #expect(stored.state == .wait)
                #expect(stored.owner == request.owner && stored.sourceType == request.sourceType && stored.source == request.source)
                #expect(stored.results == request.results && stored.flags == request.flags)
                #expect(stored.packages == request.packages && stored.builds == request.builds && stored.sigkeys == request.sigkeys)
                #expect(stored.kojiEvent == request.kojiEvent && stored.arches == request.arches)
                #expect(stored.multilibArches == request.multilibArches && stored.multilibMethod == request.multilibMethod)
                #expect(stored.lookasideRepos == request.lookasideRepos && stored.modularKojiTags == request.modularKojiTags)
                #expect(stored.moduleDefaultsURL == request.moduleDefaultsURL && stored.label == request.label)
                #expect(stored.composeType == request.composeType && stored.targetDir == request.targetDir)
                #expect(stored.scratchModules == request.scratchModules && stored.parentPungiComposeIDs == request.parentPungiComposeIDs)
                #expect(stored.scratchBuildTasks == request.scratchBuildTasks && stored.modules == request.modules)
                #expect(stored.respinOf == request.respinOf && stored.baseModuleBrName == request.baseModuleBrName)
                #expect(stored.baseModuleBrStream == request.baseModuleBrStream)
                #expect(stored.baseModuleBrStreamVersionLte == request.baseModuleBrStreamVersionLte)
                #expect(stored.baseModuleBrStreamVersionGte == request.baseModuleBrStreamVersionGte)
                #expect(stored.pungiConfigDump == request.pungiConfigDump)
                let lifetime = stored.timeToExpire.timeIntervalSince(stored.timeSubmitted)
                #expect(abs(lifetime - Double(request.secondsToLive)) < 1)
            }
        }
    }

    /// Polls a condition that another task makes true (a hang guard, not a timing assertion).
    func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
