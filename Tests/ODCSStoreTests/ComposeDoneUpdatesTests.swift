import ODCSCore
import ODCSStore
import ODCSTesting
import Testing

/// `done` stores what a generation decided of source, arches and sigkeys (a pulp compose's),
/// and leaves them alone when it decided nothing.
@Suite struct ComposeDoneUpdatesTests {
    @Test func doneStoresTheGeneratedFieldsAndKeepsTheOthers() async throws {
        try await TestDatabase.withSchema { client, _ in
            let factory = ComposeFactory(client: client)
            let pulp = try await factory.insert { request in
                request.sourceType = .pulp
                request.source = "foo-1 nope"
                request.sigkeys = ""
            }
            let claim = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            #expect(try await factory.queue.decideReuse(claim.lease, resolved: claim.compose) { _ in true } == .generate)
            let updates = ComposeDoneUpdates(source: "foo-1", arches: "ppc64 x86_64", sigkeys: "SIG1 SIG2")
            #expect(try await factory.queue.finishDone(claim.lease, pungiComposeID: nil, updates: updates))
            let done = try await factory.compose(pulp.id)
            #expect(done.state == .done)
            #expect(done.source == "foo-1")
            #expect(done.arches == "ppc64 x86_64")
            #expect(done.sigkeys == "SIG1 SIG2")

            let other = try await factory.insert(builds: "a-1")
            let claim2 = try #require(try await factory.queue.claim(node: "a", limit: 1, deadlineSeconds: 60).first)
            #expect(try await factory.queue.decideReuse(claim2.lease, resolved: claim2.compose) { _ in true } == .generate)
            #expect(try await factory.queue.finishDone(claim2.lease, pungiComposeID: nil))
            let kept = try await factory.compose(other.id)
            #expect(kept.source == "" && kept.arches == "x86_64" && kept.builds == "a-1")
        }
    }
}
