import Foundation
import Hummingbird
import HummingbirdTesting
import ODCSAPI
import ODCSCore
import ODCSTesting
import Testing

@Suite struct TargetDirFilesTests {
    /// A router serving `targetDir` at `/composes/` (nil: not served), over a fresh schema.
    func withFiles<R: Sendable>(
        _ targetDir: String, served: Bool = true, _ body: @Sendable @escaping (any TestClientProtocol) async throws -> R
    ) async throws -> R {
        var configuration = TestAPI.configuration(policy: RequestPolicy(defaultTargetDir: targetDir))
        configuration.servedTargetDir = served ? targetDir : nil
        return try await TestAPI.with(configuration: configuration) { api in try await api.test(body) }
    }

    func write(_ text: String, _ path: String) throws {
        let directory = String(path[..<path.lastIndex(of: "/")!])
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func setModified(_ path: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)], ofItemAtPath: path)
    }

    func link(_ path: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: destination)
    }

    @Test func servesFilesWithTheirContentTypes() async throws {
        try await TemporaryDirectory.with { directory in
            let root = directory.string
            let top = root + "/odcs-1"
            let files: [(String, String)] = [
                ("compose/Temporary/odcs-1.repo", "text/plain; charset=utf-8"),
                ("compose/Temporary/x86_64/os/repodata/repomd.xml", "application/xml"),
                ("compose/Temporary/x86_64/os/repodata/abc-primary.xml.gz", "application/gzip"),
                ("compose/Temporary/x86_64/os/Packages/f/foo-1.0-1.noarch.rpm", "application/x-rpm"),
                ("compose/metadata/composeinfo.json", "application/json"), ("logs/global/odcs.global.log", "text/plain; charset=utf-8"),
                ("COMPOSE_ID", "text/plain; charset=utf-8"), ("odd-file.bin", "application/octet-stream"),
            ]
            for (name, _) in files { try write("content of \(name)\n", top + "/" + name) }
            try await withFiles(root) { client in
                for (name, type) in files {
                    let uri = "/composes/odcs-1/\(name)"
                    let response = try await client.request(.get, uri)
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType] == type, "\(uri)")
                    #expect(String(buffer: response.body) == "content of \(name)\n", "\(uri)")
                    #expect(response.headers[.lastModified]?.hasSuffix(" GMT") == true)
                }
                let head = try await client.request(.head, "/composes/odcs-1/compose/Temporary/odcs-1.repo")
                #expect(head.status == .ok)
                #expect(head.headers[.contentLength] == String("content of compose/Temporary/odcs-1.repo\n".utf8.count))
                #expect(head.body.readableBytes == 0)
            }
        }
    }

    @Test func honoursOneByteRange() async throws {
        try await TemporaryDirectory.with { directory in
            let root = directory.string
            try write("0123456789", root + "/odcs-1/data.log")
            try await withFiles(root) { client in
                func get(_ range: String) async throws -> TestResponse {
                    try await client.execute(uri: "/composes/odcs-1/data.log", method: .get, headers: [.range: range])
                }
                let middle = try await get("bytes=2-4")
                #expect(middle.status == .partialContent)
                #expect(String(buffer: middle.body) == "234")
                #expect(middle.headers[.contentRange] == "bytes 2-4/10")
                #expect(String(buffer: try await get("bytes=7-").body) == "789")
                #expect(String(buffer: try await get("bytes=-3").body) == "789")
                let beyond = try await get("bytes=10-")
                #expect(beyond.status == .rangeNotSatisfiable)
                #expect(beyond.headers[.contentRange] == "bytes */10")
                let several = try await get("bytes=0-1,4-5")
                #expect(several.status == .ok)
                #expect(String(buffer: several.body) == "0123456789")
            }
        }
    }

    @Test func refusesTraversalHiddenEntriesAndSymlinksOutOfTheTargetDir() async throws {
        try await TemporaryDirectory.with { directory in
            let base = directory.string
            let root = base + "/target"
            try write("secret\n", base + "/secret.txt")
            try write("repo\n", root + "/odcs-1/compose/Temporary/odcs-1.repo")
            try write("staged\n", root + "/.staging/odcs-2-1/STATUS")
            try FileManager.default.createDirectory(atPath: root + "/odcs-3", withIntermediateDirectories: true)
            // raw_config's links between composes stay inside the target dir and work.
            try link(root + "/odcs-3/previous", to: "../odcs-1")
            try link(root + "/odcs-3/escape", to: "../../secret.txt")
            try link(root + "/odcs-3/staged", to: "../.staging")
            try link(root + "/odcs-3/etc", to: "/etc")
            try await withFiles(root) { client in
                let linked = try await client.request(.get, "/composes/odcs-3/previous/compose/Temporary/odcs-1.repo")
                #expect(linked.status == .ok)
                #expect(String(buffer: linked.body) == "repo\n")
                let refused = [
                    "/composes/../secret.txt", "/composes/odcs-1/../../secret.txt", "/composes/%2e%2e/secret.txt",
                    "/composes/odcs-1%2F..%2F..%2Fsecret.txt", "/composes/odcs-3/escape", "/composes/odcs-3/etc/passwd",
                    "/composes/odcs-3/etc/", "/composes/odcs-3/staged/", "/composes/.staging/", "/composes/.staging/odcs-2-1/STATUS",
                    "/composes/%2Estaging/odcs-2-1/STATUS", "/composes/odcs-9/", "/composes/odcs-1/./compose",
                ]
                for uri in refused {
                    let response = try await client.request(.get, uri)
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(!String(buffer: response.body).contains("secret"), "\(uri)")
                }
                let listing = String(buffer: try await client.request(.get, "/composes/odcs-3/").body)
                #expect(listing.contains("href=\"./previous/\""))
                for hidden in ["escape", "staged", "etc"] { #expect(!listing.contains(hidden), "\(hidden)") }
                #expect(!String(buffer: try await client.request(.get, "/composes/").body).contains(".staging"))
            }
        }
    }

    @Test func listsDirectoriesOldestFirstAndSortsOnRequest() async throws {
        try await TemporaryDirectory.with { directory in
            let root = directory.string
            // Name order 1, 2, 3; modification order 2 (oldest), 3, 1 (newest).
            for (id, age) in [(1, 100.0), (2, 3000.0), (3, 2000.0)] {
                let composeDir = root + "/odcs-\(id)"
                try write("\(id)\n", composeDir + "/COMPOSE_ID")
                try setModified(composeDir, secondsAgo: age)
            }
            try await withFiles(root) { client in
                func order(_ uri: String) async throws -> [Int] {
                    let response = try await client.request(.get, uri)
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    let page = String(buffer: response.body)
                    let positions = [1, 2, 3].compactMap { id in page.range(of: "href=\"./odcs-\(id)/\"").map { (id, $0.lowerBound) } }
                    return positions.sorted { $0.1 < $1.1 }.map(\.0)
                }
                #expect(try await order("/composes/") == [2, 3, 1])
                #expect(try await order("/composes/?sort=-modified") == [1, 3, 2])
                #expect(try await order("/composes/?sort=name") == [1, 2, 3])
                #expect(try await order("/composes/?sort=-name") == [3, 2, 1])
                let redirect = try await client.request(.get, "/composes/odcs-1")
                #expect(redirect.status == .movedPermanently)
                #expect(redirect.headers[.location] == "/composes/odcs-1/")
                let top = try await client.request(.get, "/composes")
                #expect(top.status == .movedPermanently)
                #expect(top.headers[.location] == "/composes/")
                let inner = String(buffer: try await client.request(.get, "/composes/odcs-1/").body)
                #expect(inner.contains("href=\"./COMPOSE_ID\""))
                #expect(inner.contains("href=\"../\""))
            }
        }
    }

    @Test func targetDirIsNotServedWhenSwitchedOff() async throws {
        try await TemporaryDirectory.with { directory in
            let root = directory.string
            try write("1\n", root + "/odcs-1/COMPOSE_ID")
            try await withFiles(root, served: false) { client in
                let file = try await client.request(.get, "/composes/odcs-1/COMPOSE_ID")
                #expect(file.status == .notFound)
                let home = try await client.request(.get, "/")
                #expect(!String(buffer: home.body).contains("href=\"/composes/\""))
            }
        }
    }
}
