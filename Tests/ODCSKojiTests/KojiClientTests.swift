import Foundation
import ODCSRepo
import ODCSTesting
import Subprocess
import SystemPackage
import Testing

@testable import ODCSKoji

/// The client against the Koji test hub over real HTTP, on Pungi's observed rig.
@Suite struct KojiClientTests {
    /// Built once for the suite; each test serves its own copy of the hub data.
    static let rig = Task { try await KojiFixture.rig(at: try TemporaryDirectory.make(prefix: "koji-client-rig")) }

    static func withRig<R: Sendable>(
        _ body: @Sendable (KojiClient, KojiTestHub, KojiFixture, FixtureSigner) async throws -> R
    ) async throws -> R {
        let (fixture, signer) = try await rig.value
        let hub = KojiTestHub(data: fixture.data)
        return try await hub.serving { url in
            let client = KojiClient(configuration: .init(url: url, timeout: .seconds(5), maxRetries: 1, retryInterval: .milliseconds(10)))
            return try await body(client, hub, fixture, signer)
        }
    }

    @Test func latestWithInheritanceHidesOlderAndInheritedBuildsOfTheSamePackage() async throws {
        try await Self.withRig { koji, _, _, _ in
            let event = try await koji.getLastEvent()
            let inherited = try await koji.listTaggedRPMS("rig-tag", event: event.id, inherit: true, latest: true)
            #expect(inherited.builds.map(\.nvr).sorted() == ["bar-2.0-1", "baz-0.1-1", "foo-1.1-1", "qux-3.0-1"])
            #expect(Set(inherited.rpms.map(\.nvra)).contains("foo-devel-1.1-1.x86_64"))
            #expect(Set(inherited.rpms.map(\.nvra)).contains("foo-1.1-1.src"))
            let own = try await koji.listTaggedRPMS("rig-tag", event: event.id, inherit: false, latest: true)
            #expect(own.builds.map(\.nvr).sorted() == ["baz-0.1-1", "foo-1.1-1"])
            let all = try await koji.listTaggedRPMS("rig-tag", event: event.id, inherit: false, latest: false)
            #expect(all.builds.map(\.nvr).sorted() == ["baz-0.1-1", "foo-1.0-1", "foo-1.1-1"])
        }
    }

    @Test func anEventPinsTheViewOfTheTag() async throws {
        try await Self.withRig { koji, hub, _, _ in
            let before = try await koji.getLastEvent()
            await hub.update { data in
                let build = data.build(nvr: "foo-1.0-1")!.id
                data.untagBuild(data.build(nvr: "foo-1.1-1")!.id, from: "rig-tag")
                data.tagBuild(build, into: "rig-tag")
            }
            let after = try await koji.getLastEvent()
            #expect(after.id > before.id)
            let pinned = try await koji.listTaggedRPMS("rig-tag", event: before.id, inherit: false, latest: true)
            #expect(pinned.builds.map(\.nvr).sorted() == ["baz-0.1-1", "foo-1.1-1"])
            let now = try await koji.listTaggedRPMS("rig-tag", event: nil, inherit: false, latest: true)
            #expect(now.builds.map(\.nvr).sorted() == ["baz-0.1-1", "foo-1.0-1"])
            let tag = try #require(try await koji.getTag("rig-tag"))
            #expect(try await koji.tagChangedSinceEvent(before.id, tagIDs: [tag.id]))
            #expect(try await !koji.tagChangedSinceEvent(after.id, tagIDs: [tag.id]))
            #expect(try await koji.getEvent(before.id) == before)
        }
    }

    @Test func tagsAndInheritance() async throws {
        try await Self.withRig { koji, _, _, _ in
            #expect(try await koji.getTag("nope") == nil)
            let tag = try #require(try await koji.getTag("rig-tag"))
            let parents = try await koji.getInheritanceData("rig-tag")
            #expect(parents.map(\.name) == ["rig-base"])
            #expect(parents.first?.childID == tag.id)
            let full = try await koji.getFullInheritance(tag.id)
            #expect(full.map(\.name) == ["rig-base"])
            #expect(full.first?.depth == 1)
            #expect(try await koji.getAPIVersion() == 1)
        }
    }

    @Test func buildsAndTheirRPMsInOneMultiCall() async throws {
        try await Self.withRig { koji, hub, _, _ in
            let builds = try await koji.getBuilds(["foo-1.1-1", "nope-1-1", "bar-2.0-1"])
            #expect(builds.map { $0?.nvr } == ["foo-1.1-1", nil, "bar-2.0-1"])
            let rpms = try await koji.listRPMs(buildIDs: [builds[0]!.id, builds[2]!.id])
            #expect(rpms[0].map(\.nvra).sorted() == ["foo-1.1-1.src", "foo-1.1-1.x86_64", "foo-devel-1.1-1.x86_64"])
            #expect(rpms[1].map(\.nvra).sorted() == ["bar-2.0-1.src", "bar-2.0-1.x86_64", "bar-debuginfo-2.0-1.x86_64"])
            // Two multicalls, each recorded member by member.
            #expect(await hub.calls(of: "getBuild").count == 3)
            #expect(try await koji.listRPMs(buildID: builds[0]!.id).count == 3)
        }
    }

    /// A module build's modulemd archives (`listArchives(type="module")`), each file where
    /// `KojiPathInfo.archive` says under the build's directory; an RPM build has none.
    @Test func moduleArchivesAreListedAndWhereKojiKeepsThem() async throws {
        try await Self.withRig { koji, _, fixture, _ in
            let build = try #require(try await koji.getBuild("rigmod-1-1.00000000"))
            let archives = try await koji.listArchives(buildID: build.id, type: "module")
            #expect(archives.map(\.filename).sorted() == ["modulemd.src.txt", "modulemd.txt", "modulemd.x86_64.txt"])
            #expect(archives.allSatisfy { $0.btype == "module" && $0.buildID == build.id })
            let directory = FilePath(KojiPathInfo(top: fixture.topdir.string).buildDirectory(build))
            for archive in archives {
                let path = directory.appending(KojiPathInfo.archive(archive)).string
                #expect(path.hasSuffix("packages/rigmod/1/1.00000000/files/module/\(archive.filename)"))
                let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64
                #expect(size == archive.size)
            }
            let foo = try #require(try await koji.getBuild("foo-1.1-1"))
            #expect(try await koji.listArchives(buildID: foo.id, type: "module").isEmpty)
        }
    }

    @Test func aFaultIsAnAnswerAndNotRetried() async throws {
        try await Self.withRig { koji, hub, _, _ in
            await hub.fail("getLastEvent", message: "database is down")
            await #expect(throws: KojiError.fault(code: 1000, message: "database is down")) { try await koji.getLastEvent() }
            #expect(await hub.calls(of: "getLastEvent").count == 1)
            do {
                _ = try await koji.getEvent(999)
                Issue.record("an unknown event must fault")
            } catch let error as KojiError {
                #expect(error == .fault(code: 1000, message: "No such event: 999"))
            }
        }
    }

    @Test func aStalledHubTimesOutAfterTheRetries() async throws {
        try await Self.withRig { koji, hub, _, _ in
            await hub.stall("getLastEvent", for: .seconds(60))
            var fast = koji
            // Long enough for a loaded machine to take in each request, short against the stall.
            fast.configuration.timeout = .seconds(3)
            do {
                _ = try await fast.getLastEvent()
                Issue.record("a stalled hub must time out")
            } catch let error as KojiError {
                guard case .transport(let reason) = error else {
                    Issue.record("expected a transport error, got \(error)")
                    return
                }
                #expect(reason.contains("getLastEvent"))
            }
            // The first attempt and one retry. A request the client gave up on may reach the hub
            // late (a loaded machine), so wait for both; the client sends no more once it threw.
            let arrived = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await hub.waitForCalls(of: "getLastEvent", count: 2)
                    return true
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(30))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            #expect(arrived)
            #expect(await hub.calls(of: "getLastEvent").count == 2)
        }
    }

    @Test func anUnreachableHubIsATransportError() async throws {
        let koji = KojiClient(configuration: .init(url: "http://127.0.0.1:9/kojihub", timeout: .seconds(2), maxRetries: 0))
        await #expect(throws: KojiError.self) { try await koji.getLastEvent() }
    }

    @Test func signatureHeadersNameTheKeyAndKeepThePayloadHash() async throws {
        try await Self.withRig { _, _, fixture, signer in
            let data = fixture.data
            let foo = data.build(nvr: "foo-1.1-1")!
            let rpm = data.rpms.first { $0.build == foo.id && $0.arch == "x86_64" && $0.name == "foo" }!
            let kojiBuild = KojiBuild(id: foo.id, name: foo.name, version: foo.version, release: foo.release)
            let kojiRPM = KojiRPM(
                id: rpm.id, buildID: foo.id, name: "foo", version: foo.version, release: foo.release, arch: "x86_64", size: rpm.size,
                payloadhash: rpm.payloadhash)
            let directory = KojiPathInfo(top: fixture.topdir.string).buildDirectory(kojiBuild)
            let unsigned = try RPMSignatureHeader(file: FilePath(directory + "/" + KojiPathInfo.rpm(kojiRPM)))
            let signed = try RPMSignatureHeader(
                file: FilePath(directory + "/" + KojiPathInfo.signed(kojiRPM, sigkey: signer.sigkey)))
            #expect(unsigned.sigkey == nil)
            #expect(signed.sigkey == signer.sigkey)
            #expect(signed.payloadMD5 == unsigned.payloadMD5)
            let rpmSays = try await Subprocess.run(
                .name("rpm"), arguments: ["-qp", "--qf", "%{SIGMD5}", directory + "/" + KojiPathInfo.rpm(kojiRPM)],
                output: .string(limit: 4096), error: .discarded)
            #expect(unsigned.payloadMD5 == rpmSays.standardOutput)
            #expect(rpm.payloadhash == unsigned.payloadMD5)
            #expect(throws: RPMSignatureHeader.Failure.self) { try RPMSignatureHeader(file: FilePath(directory + "/../../../..")) }
        }
    }
}
