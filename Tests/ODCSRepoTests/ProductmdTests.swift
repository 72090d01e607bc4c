import Foundation
import ODCSRepo
import Testing

@Suite struct ProductmdTests {
    @Test func composeIDFollowsUpstreamForEachComposeType() throws {
        let date = try #require(ISO8601DateFormatter().date(from: "2024-01-01T12:00:00Z"))
        let utc = try #require(TimeZone(identifier: "UTC"))
        func id(_ type: String?) -> String {
            ProductmdCompose(composeName: "odcs-12", composeType: type, label: nil, now: date, timeZone: utc).id
        }
        #expect(id(nil) == "odcs-12-1-20240101.t.0")
        #expect(id("test") == "odcs-12-1-20240101.t.0")
        #expect(id("production") == "odcs-12-1-20240101.0")
        #expect(id("nightly") == "odcs-12-1-20240101.n.0")
        #expect(id("ci") == "odcs-12-1-20240101.ci.0")
        #expect(id("development") == "odcs-12-1-20240101.d.0")
    }

    @Test func dateIsTheLocalDate() throws {
        let date = try #require(ISO8601DateFormatter().date(from: "2024-01-01T23:30:00Z"))
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        #expect(ProductmdCompose(composeName: "odcs-1", composeType: nil, label: nil, now: date, timeZone: tokyo).date == "20240102")
    }

    @Test func shortNameIsTheFirstSixteenCharacters() {
        let compose = ProductmdCompose(composeName: "odcs-123456789012345", composeType: nil, label: nil, now: Date())
        #expect(compose.releaseShort == "odcs-12345678901")
        #expect(compose.releaseName == "odcs-123456789012345")
    }

    @Test func composeInfoMatchesPungisLayout() throws {
        let compose = ProductmdCompose(
            releaseName: "odcs-1", releaseShort: "odcs-1", releaseVersion: "1", date: "20261127", type: "test")
        let json = ProductmdComposeInfo(compose: compose, arches: ["x86_64"]).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary)
        let expected =
            try JSONSerialization.jsonObject(
                with: Data(
                    """
                    {"header": {"type": "productmd.composeinfo", "version": "1.2"},
                     "payload": {
                      "compose": {"date": "20261127", "id": "odcs-1-1-20261127.t.0", "respin": 0, "type": "test"},
                      "release": {"internal": false, "name": "odcs-1", "short": "odcs-1", "type": "ga", "version": "1"},
                      "variants": {"Temporary": {"arches": ["x86_64"], "id": "Temporary", "name": "Temporary",
                        "type": "variant", "uid": "Temporary",
                        "paths": {
                         "os_tree": {"x86_64": "Temporary/x86_64/os"}, "packages": {"x86_64": "Temporary/x86_64/os/Packages"},
                         "repository": {"x86_64": "Temporary/x86_64/os"},
                         "debug_packages": {"x86_64": "Temporary/x86_64/debug/tree/Packages"},
                         "debug_repository": {"x86_64": "Temporary/x86_64/debug/tree"}, "debug_tree": {"x86_64": "Temporary/x86_64/debug/tree"},
                         "source_packages": {"x86_64": "Temporary/source/tree/Packages"},
                         "source_repository": {"x86_64": "Temporary/source/tree"}, "source_tree": {"x86_64": "Temporary/source/tree"}}}}}}
                    """.utf8)) as? NSDictionary
        #expect(object == expected)
    }

    @Test func rpmsGroupsByArchAndSourceWithNullSigkeys() throws {
        let compose = ProductmdCompose(
            releaseName: "odcs-1", releaseShort: "odcs-1", releaseVersion: "1", date: "20261127", type: "test")
        let rpms = ProductmdRPMs(
            compose: compose,
            entries: [
                .init(
                    arch: "x86_64", sourceNEVRA: "bar-0:2.0-1.src", nevra: "bar-0:2.0-1.x86_64", category: .binary,
                    path: "Temporary/x86_64/os/Packages/b/bar-2.0-1.x86_64.rpm"),
                .init(
                    arch: "x86_64", sourceNEVRA: "bar-0:2.0-1.src", nevra: "bar-0:2.0-1.src", category: .source,
                    path: "Temporary/source/tree/Packages/b/bar-2.0-1.src.rpm"),
            ])
        #expect(
            rpms.json
                == #"{"header":{"type":"productmd.rpms","version":"1.2"},"payload":{"compose":{"date":"20261127","id":"odcs-1-1-20261127.t.0","respin":0,"type":"test"},"rpms":{"Temporary":{"x86_64":{"bar-0:2.0-1.src":{"bar-0:2.0-1.src":{"category":"source","path":"Temporary/source/tree/Packages/b/bar-2.0-1.src.rpm","sigkey":null},"bar-0:2.0-1.x86_64":{"category":"binary","path":"Temporary/x86_64/os/Packages/b/bar-2.0-1.x86_64.rpm","sigkey":null}}}}}}}"#
        )
    }
}
