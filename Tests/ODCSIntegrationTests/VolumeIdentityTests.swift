import Foundation
import ODCSTesting
import Testing

/// A node whose target dir is not the cluster's volume (a mount point before its mount, a
/// local directory) is not ready, says why, and generates nothing; the cluster's other nodes
/// do the work (issue 20, item 4).
@Suite(.serialized) struct VolumeIdentityTests {
    @Test(.timeLimit(.minutes(3))) func aNodeOnAnotherDirectoryIsNotReadyAndClaimsNothing() async throws {
        try await TestCluster.with { cluster in
            try await cluster.start(0)
            let marker = try String(contentsOfFile: cluster.targetDir + "/.odcs-volume-id", encoding: .utf8)
            #expect(marker.trimmingCharacters(in: .whitespacesAndNewlines).count == 36)

            // Node 1 on an empty directory: the volume "is not mounted".
            let elsewhere = cluster.targetDir + "-unmounted"
            try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
            try await cluster.start(1, targetDir: elsewhere, expectReady: false)
            let (body, status) = try await cluster.request("GET", cluster.base(1) + "/readyz")
            #expect(status == 503)
            let reason = String(decoding: body, as: UTF8.self)
            #expect(reason.contains("holds no .odcs-volume-id marker"), "\(reason)")
            #expect(!FileManager.default.fileExists(atPath: elsewhere + "/.odcs-volume-id"))

            // Only node 0 generates. Node 1's target dir is not the one these composes store, so
            // a compose it claimed would fail: all six done means it claimed none.
            for index in 0..<6 {
                let (status, _) = try await cluster.submit(
                    0, #"{"source": {"type": "build", "source": "", "builds": ["vol-\#(index)-1-1"]}, "flags": ["no_reuse"]}"#)
                #expect(status == 200)
            }
            try await cluster.eventually("6 composes done") { try await cluster.states()[2] == 6 }
            let nodes = Set(cluster.journalEntries().map(\.node))
            #expect(nodes == [TestCluster.nodeID(0)])
            let log = try String(contentsOfFile: cluster.journal + ".node-1.log", encoding: .utf8)
            #expect(log.contains("not the cluster's volume"))

            // A node on a directory holding another volume's marker is refused the same way.
            let other = cluster.targetDir + "-other"
            try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
            try "0d1e5bad-0000-4000-8000-000000000000\n".write(toFile: other + "/.odcs-volume-id", atomically: false, encoding: .utf8)
            try await cluster.start(2, targetDir: other, expectReady: false)
            let (otherBody, otherStatus) = try await cluster.request("GET", cluster.base(2) + "/readyz")
            #expect(otherStatus == 503)
            #expect(String(decoding: otherBody, as: UTF8.self).contains("is volume 0d1e5bad-0000-4000-8000-000000000000"))
        }
    }
}
