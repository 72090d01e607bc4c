import Foundation
import ODCSVolume
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `.cache/` is emptied of what no compose used for `cache_max_age`, never through a symlink.
@Suite struct CachePrunerTests {
    let base = NSTemporaryDirectory() + "odcs-cache-" + UUID().uuidString.prefix(8)
    var cache: String { base + "/volume/.cache" }

    func write(_ path: String, bytes: Int = 10, age: Int) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 0x61, count: bytes).write(to: URL(fileURLWithPath: path))
        setAge(path, age)
    }

    func setAge(_ path: String, _ age: Int) {
        let then = timespec(tv_sec: time(nil) - age, tv_nsec: 0)
        var times = [then, then]
        _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    func mtime(_ path: String) -> Int {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mtim.tv_sec : -1
    }

    @Test func removesWhatWasNotUsedForTheMaximumAgeAndCrashedWritersTemporaries() throws {
        defer { try? FileManager.default.removeItem(atPath: base) }
        try write(cache + "/headers/ab/old.solv", bytes: 100, age: 8 * 86400)
        try write(cache + "/headers/ab/old.solv.keys", bytes: 20, age: 8 * 86400)
        try write(cache + "/headers/ab/used.solv", age: 3600)
        try write(cache + "/headers/bases/digest", age: 9 * 86400)
        try write(cache + "/koji/cd/recent.listing", age: 60)
        try write(cache + "/koji/cd/x.listing.tmp-1234", bytes: 5, age: 2 * 3600)
        try write(cache + "/koji/cd/y.listing.tmp-5678", age: 60)
        let root = try ConfinedPath(root: FilePath(base + "/volume")).appending(literal: ".cache")

        let outcome = try CachePruner.prune(root, maxAge: 7 * 86400)

        #expect(outcome.files == 4)
        #expect(outcome.bytes == 100 + 20 + 10 + 5)
        for gone in ["/headers/ab/old.solv", "/headers/ab/old.solv.keys", "/headers/bases/digest", "/koji/cd/x.listing.tmp-1234"] {
            #expect(!FileManager.default.fileExists(atPath: cache + gone), "\(gone)")
        }
        for kept in ["/headers/ab/used.solv", "/koji/cd/recent.listing", "/koji/cd/y.listing.tmp-5678"] {
            #expect(FileManager.default.fileExists(atPath: cache + kept), "\(kept)")
        }
        #expect(try CachePruner.prune(root, maxAge: 7 * 86400) == .init())
    }

    @Test func aPlantedLinkIsUnlinkedAndWhatItPointsAtSurvives() throws {
        defer { try? FileManager.default.removeItem(atPath: base) }
        let outside = base + "/outside"
        try write(outside + "/ab/precious.solv", age: 30 * 86400)
        try FileManager.default.createDirectory(atPath: cache + "/headers", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: cache + "/headers/ab", withDestinationPath: outside + "/ab")
        setAge(cache + "/headers/ab", 30 * 86400)
        try FileManager.default.createSymbolicLink(atPath: base + "/volume/.cache/koji", withDestinationPath: outside)
        setAge(base + "/volume/.cache/koji", 30 * 86400)
        let root = try ConfinedPath(root: FilePath(base + "/volume")).appending(literal: ".cache")

        _ = try CachePruner.prune(root, maxAge: 86400)

        #expect(FileManager.default.fileExists(atPath: outside + "/ab/precious.solv"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: cache + "/headers/ab")) == nil)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: cache + "/koji")) == nil)
    }

    @Test func aCacheReachedThroughALinkIsNotPruned() throws {
        defer { try? FileManager.default.removeItem(atPath: base) }
        let outside = base + "/outside"
        try write(outside + "/headers/ab/precious.solv", age: 30 * 86400)
        try FileManager.default.createDirectory(atPath: base + "/volume", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: cache, withDestinationPath: outside)
        let root = try ConfinedPath(root: FilePath(base + "/volume")).appending(literal: ".cache")

        #expect(throws: PathError.self) { try CachePruner.prune(root, maxAge: 86400) }
        #expect(FileManager.default.fileExists(atPath: outside + "/headers/ab/precious.solv"))
    }

    @Test func usingAFileMarksItAtMostOnceAnHour() throws {
        defer { try? FileManager.default.removeItem(atPath: base) }
        try write(cache + "/old", age: 2 * 86400)
        try write(cache + "/recent", age: 600)
        let recent = mtime(cache + "/recent")

        CachePruner.touch(FilePath(cache + "/old"))
        CachePruner.touch(FilePath(cache + "/recent"))
        CachePruner.touch(FilePath(cache + "/missing"))

        #expect(mtime(cache + "/old") >= time(nil) - 5)
        #expect(mtime(cache + "/recent") == recent)
    }
}
