import Foundation
import ODCSServices
import ODCSStore
import ODCSTesting
import ODCSVolume
import SystemPackage
import Testing

@Suite struct VolumeIdentityCheckTests {
    static func directory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "odcs-volume-id-\(name)-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func check(_ directory: String, extra: [String: String] = [:], store: ComposeStore) -> (VolumeIdentityCheck, VolumeTrust) {
        let trust = VolumeTrust(untrustedBecause: "not checked")
        let directories = TargetDirectories(
            defaultDir: FilePath(directory), defaultURL: "http://odcs.test", extra: extra.mapValues { FilePath($0) }, trust: trust)
        return (
            VolumeIdentityCheck(
                configuration: .init(targetDirectories: directories), registry: store.volumes, trust: trust, logger: testLogger),
            trust
        )
    }

    @Test func theFirstNodeRegistersOthersMustAgreeAndAMissingMarkerIsNeverRewritten() async throws {
        try await TestDatabase.withSchema { client, _ in
            let store = ComposeStore(client: client, logger: testLogger)
            let volume = try Self.directory("volume")
            let unmounted = try Self.directory("unmounted")
            defer {
                try? FileManager.default.removeItem(atPath: volume)
                try? FileManager.default.removeItem(atPath: unmounted)
            }

            // Two first nodes at once: one id wins, both trust it.
            let (first, firstTrust) = Self.check(volume, store: store)
            let (second, secondTrust) = Self.check(volume, store: store)
            async let a = first.checkOnce()
            async let b = second.checkOnce()
            #expect(await a == nil)
            #expect(await b == nil)
            #expect(firstTrust.isTrusted && secondTrust.isTrusted)
            let marker = try String(contentsOfFile: volume + "/.odcs-volume-id", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try await store.volumes.volumeID(name: "default") == marker)

            // A node looking at an empty directory is refused and writes nothing there.
            let (lost, lostTrust) = Self.check(unmounted, store: store)
            let reason = await lost.checkOnce()
            #expect(reason?.contains("holds no .odcs-volume-id marker") == true)
            #expect(!lostTrust.isTrusted)
            #expect(!FileManager.default.fileExists(atPath: unmounted + "/.odcs-volume-id"))

            // Once the volume is there (here: its marker), the next check trusts it again.
            try FileManager.default.copyItem(atPath: volume + "/.odcs-volume-id", toPath: unmounted + "/.odcs-volume-id")
            #expect(await lost.checkOnce() == nil)
            #expect(lostTrust.isTrusted)

            // Each extra target dir has an identity of its own.
            let extra = try Self.directory("extra")
            defer { try? FileManager.default.removeItem(atPath: extra) }
            let (withExtra, _) = Self.check(volume, extra: ["releases": extra], store: store)
            #expect(await withExtra.checkOnce() == nil)
            let extraMarker = try String(contentsOfFile: extra + "/.odcs-volume-id", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(extraMarker != marker)
            #expect(try await store.volumes.volumeID(name: "releases") == extraMarker)
        }
    }
}
