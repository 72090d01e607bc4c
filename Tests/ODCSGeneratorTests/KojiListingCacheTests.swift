import Foundation
import ODCSKoji
import ODCSTesting
import SystemPackage
import Testing

@testable import ODCSGenerator

/// The listing cache's file: what goes in comes out, a damaged or foreign file is ignored, and
/// a value the format cannot hold is not cached.
@Suite struct KojiListingCacheTests {
    static let listing: KojiListingCache.Listing = {
        var build = KojiBuild(id: 7, name: "foo", version: "1.0", release: "1.fc40", epoch: 2, volumeName: "DEFAULT")
        build.tagName = "f40-build"
        let other = KojiBuild(id: 8, name: "bar", version: "2", release: "3", volumeName: "")
        return (
            [
                KojiRPM(
                    id: 70, buildID: 7, name: "foo", version: "1.0", release: "1.fc40", epoch: 2, arch: "x86_64", size: 1234,
                    payloadhash: "ab12"),
                KojiRPM(
                    id: 71, buildID: 7, name: "foo", version: "1.0", release: "1.fc40", epoch: 2, arch: "src", size: -1, payloadhash: ""),
                KojiRPM(id: 80, buildID: 8, name: "bar-devel", version: "2", release: "3", arch: "noarch", size: 9, payloadhash: "cd"),
            ],
            [build, other]
        )
    }()

    @Test func aListingComesBackAsItWasStored() async throws {
        try await TemporaryDirectory.with { dir in
            let cache = KojiListingCache(directory: dir.appending(".cache/koji"), hub: "https://koji.example.com/kojihub")
            #expect(cache.load(tag: "f40-build", event: 5, inherit: true, latest: true) == nil)
            #expect(cache.store(Self.listing, tag: "f40-build", event: 5, inherit: true, latest: true))
            let loaded = try #require(cache.load(tag: "f40-build", event: 5, inherit: true, latest: true))
            #expect(loaded.rpms == Self.listing.rpms && loaded.builds == Self.listing.builds)
            // Another event, inheritance or hub is another listing.
            #expect(cache.load(tag: "f40-build", event: 6, inherit: true, latest: true) == nil)
            #expect(cache.load(tag: "f40-build", event: 5, inherit: false, latest: true) == nil)
            var otherHub = cache
            otherHub.hub = "https://other.example.com/kojihub"
            #expect(otherHub.load(tag: "f40-build", event: 5, inherit: true, latest: true) == nil)
        }
    }

    @Test func aDamagedFileIsIgnored() throws {
        let text = try #require(KojiListingCache.encode(Self.listing))
        #expect(KojiListingCache.decode(Data(text.utf8)) != nil)
        // Cut short (no `end` line, or a line cut in half), a count that does not match, another format.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(KojiListingCache.decode(Data(lines.dropLast(2).joined(separator: "\n").utf8)) == nil)
        #expect(KojiListingCache.decode(Data(text.dropLast(20).utf8)) == nil)
        #expect(KojiListingCache.decode(Data(text.replacingOccurrences(of: "end\t3\t2", with: "end\t2\t2").utf8)) == nil)
        #expect(
            KojiListingCache.decode(Data(text.replacingOccurrences(of: "odcs-koji-listing 1", with: "odcs-koji-listing 9").utf8)) == nil)
        #expect(KojiListingCache.decode(Data(text.replacingOccurrences(of: "\t1234\t", with: "\tmany\t").utf8)) == nil)
        #expect(KojiListingCache.decode(Data()) == nil)
    }

    @Test func aValueTheFormatCannotHoldIsNotCached() async throws {
        try await TemporaryDirectory.with { dir in
            let cache = KojiListingCache(directory: dir.appending(".cache/koji"), hub: "https://koji.example.com/kojihub")
            var listing = Self.listing
            listing.rpms[0].release = "1\tx"
            #expect(!cache.store(listing, tag: "t", event: 1, inherit: true, latest: true))
            listing = Self.listing
            listing.builds[1].volumeName = "-"
            #expect(KojiListingCache.encode(listing) == nil)
            #expect(cache.load(tag: "t", event: 1, inherit: true, latest: true) == nil)
        }
    }
}
