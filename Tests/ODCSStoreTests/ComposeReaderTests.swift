import ODCSCore
import ODCSStore
import ODCSTesting
import PostgresNIO
import Testing

/// `ComposeReader`: concurrent reads of single composes coalesce into one statement, each gets
/// its own compose (or nil) exactly as a direct read would, and a compose is rendered once per
/// version of its row.
@Suite struct ComposeReaderTests {
    /// What the tests render: enough of a compose to tell its versions apart.
    @Sendable static func render(_ compose: Compose) -> String {
        "\(compose.id) \(compose.state.name) \(compose.stateReason ?? "-")"
    }

    @Test func readsQueuedBehindABusySlotGoTogetherInOneStatement() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            var ids: [Int64] = []
            for _ in 0..<5 { ids.append(try await factory.insert().id) }
            let missing = ids.max()! + 1000
            let reader = ComposeReader(client: client, logger: TestDatabase.logger, maxInFlight: 1, render: Self.render)
            // Requests: every compose twice, and one that does not exist.
            let requested = ids + ids + [missing]

            try await client.withConnection { locker in
                // Holds the table so that the first read's statement waits: the others must queue.
                try await locker.query("BEGIN", logger: TestDatabase.logger)
                try await locker.query("LOCK TABLE composes IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                try await withThrowingTaskGroup(of: (Int64, String?).self) { group in
                    group.addTask { (requested[0], try await reader.text(id: requested[0])) }
                    try await waitUntil { reader.statementCount == 1 }
                    for id in requested.dropFirst() { group.addTask { (id, try await reader.text(id: id)) } }
                    try await waitUntil { reader.queuedReads == requested.count - 1 }
                    try await locker.query("COMMIT", logger: TestDatabase.logger)

                    var answers = 0
                    for try await (id, compose) in group {
                        answers += 1
                        if id == missing { #expect(compose == nil) } else { #expect(compose == "\(id) wait -") }
                    }
                    #expect(answers == requested.count)
                }
            }
            // The first read's statement, then one for the ten that queued behind it.
            #expect(reader.statementCount == 2)
            #expect(reader.queuedReads == 0)

            // A lone read finds a free slot and runs at once.
            #expect(try await reader.text(id: ids[2]) == "\(ids[2]) wait -")
            #expect(reader.statementCount == 3)
        }
    }

    @Test func aComposeIsRenderedOncePerVersionOfItsRow() async throws {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeStore(client: client, logger: TestDatabase.logger)
            let id = try await ComposeFactory(client: client).insert().id
            let reader = ComposeReader(client: client, logger: TestDatabase.logger, render: Self.render)

            #expect(try await reader.text(id: id) == "\(id) wait -")
            #expect(try await reader.text(id: id) == "\(id) wait -")
            #expect(reader.renderCount == 1)

            // Any committed change is a new version: the next read renders it.
            _ = try await store.cancel(id: id, reason: "Canceled by test")
            #expect(try await reader.text(id: id) == "\(id) failed Canceled by test")
            #expect(reader.renderCount == 2)
            try await client.query("UPDATE composes SET state_reason = 'edited' WHERE id = \(id)", logger: TestDatabase.logger)
            #expect(try await reader.text(id: id) == "\(id) failed edited")
            #expect(reader.renderCount == 3)
            // An update that writes the same values is a new version too (rendered again, same text).
            try await client.query("UPDATE composes SET state_reason = 'edited' WHERE id = \(id)", logger: TestDatabase.logger)
            #expect(try await reader.text(id: id) == "\(id) failed edited")
            #expect(reader.renderCount == 4)

            // A compose that is gone is gone, whatever was kept.
            try await client.query("DELETE FROM composes WHERE id = \(id)", logger: TestDatabase.logger)
            #expect(try await reader.text(id: id) == nil)
        }
    }

    @Test func keptAnswersAreBoundedInAgeAndSize() async throws {
        try await TestDatabase.withSchema { client, _ in
            let id = try await ComposeFactory(client: client).insert().id
            // Nothing is kept past an age of zero.
            let ageless = ComposeReader(client: client, logger: TestDatabase.logger, maxKeptAge: .zero, render: Self.render)
            for _ in 0..<3 { #expect(try await ageless.text(id: id) == "\(id) wait -") }
            #expect(ageless.renderCount == 3)
            // An answer over a 64th of the bound is not kept (the text is 8 bytes or more).
            let small = ComposeReader(client: client, logger: TestDatabase.logger, maxKeptBytes: 64 * 7, render: Self.render)
            for _ in 0..<3 { #expect(try await small.text(id: id) == "\(id) wait -") }
            #expect(small.renderCount == 3)
        }
    }

    /// A statement left unanswered for `answerLimit` fails its reads with `Deadline.Exceeded`
    /// and frees its slot for the reads queued behind it; answered at last, it answers nobody
    /// twice.
    @Test func anUnansweredStatementFailsItsReadsAndFreesItsSlot() async throws {
        try await TestDatabase.withSchema { client, _ in
            let id = try await ComposeFactory(client: client).insert().id
            // Long enough that the queued read, which starts in the freed slot while the table
            // is still held, is answered within it after the COMMIT on a loaded machine (2 s
            // failed in CI).
            let reader = ComposeReader(
                client: client, logger: TestDatabase.logger, maxInFlight: 1, answerLimit: .seconds(8), render: Self.render)
            try await client.withConnection { locker in
                // Holds the table: the first read's statement waits for it.
                try await locker.query("BEGIN", logger: TestDatabase.logger)
                try await locker.query("LOCK TABLE composes IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                let first = Task { try await reader.text(id: id) }
                try await waitUntil { reader.statementCount == 1 }
                let second = Task { try await reader.text(id: id) }
                try await waitUntil { reader.queuedReads == 1 }
                await #expect(throws: Deadline.Exceeded.self) { try await first.value }
                // The queued read went into the freed slot, although the first statement still waits.
                #expect(reader.statementCount == 2 && reader.queuedReads == 0)
                try await locker.query("COMMIT", logger: TestDatabase.logger)
                #expect(try await second.value == "\(id) wait -")
            }
            #expect(try await reader.text(id: id) == "\(id) wait -")
            #expect(reader.statementCount == 3)
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

extension ComposeReader {
    /// The rendered compose as text.
    func text(id: Int64) async throws -> String? {
        try await rendered(id: id).map { String(buffer: $0) }
    }
}
