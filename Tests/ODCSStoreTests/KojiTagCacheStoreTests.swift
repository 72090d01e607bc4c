import ODCSStore
import ODCSTesting
import Testing

@Suite struct KojiTagCacheStoreTests {
    @Test func keepsTheNewestEventPerTag() async throws {
        try await TestDatabase.withSchema { client, _ in
            let cache = KojiTagCacheStore(client: client, logger: TestDatabase.logger)
            #expect(try await cache.lastEvent(tag: "f40") == nil)
            try await cache.record(tag: "f40", event: 10)
            try await cache.record(tag: "f41", event: 3)
            #expect(try await cache.lastEvent(tag: "f40") == 10)
            // A node that resolved earlier and records later cannot move the tag back.
            try await cache.record(tag: "f40", event: 7)
            #expect(try await cache.lastEvent(tag: "f40") == 10)
            try await cache.record(tag: "f40", event: 12)
            #expect(try await cache.lastEvent(tag: "f40") == 12)
            #expect(try await cache.lastEvent(tag: "f41") == 3)
        }
    }
}
