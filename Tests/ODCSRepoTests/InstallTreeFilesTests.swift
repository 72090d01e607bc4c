import Foundation
import ODCSRepo
import ODCSTesting
import Testing

/// `.treeinfo`, `.discinfo` and `media.repo` against real Pungi's (`PungiTreeSamples`), byte for
/// byte, at the times Pungi wrote them.
@Suite struct InstallTreeFilesTests {
    static func files(name: String, arch: String, time: Double) -> InstallTreeFiles {
        let compose = ProductmdCompose(releaseName: name, releaseShort: name, releaseVersion: "1", date: "20261206", type: "test")
        return InstallTreeFiles(compose: compose, variant: "Temporary", arch: arch, time: Date(timeIntervalSince1970: time))
    }

    static func expectSample(_ files: InstallTreeFiles, _ directory: String) throws {
        #expect(files.treeInfo == (try PungiTreeSamples.text("\(directory)/.treeinfo")))
        #expect(files.discInfo == (try PungiTreeSamples.text("\(directory)/.discinfo")))
        #expect(files.mediaRepo == (try PungiTreeSamples.text("\(directory)/media.repo")))
    }

    @Test func osTreeFilesArePungis() throws {
        try Self.expectSample(Self.files(name: "odcs-1", arch: "x86_64", time: 1_796_580_643.162377), "with-packages/x86_64-os")
        try Self.expectSample(Self.files(name: "odcs-4", arch: "x86_64", time: 1_796_580_030.784735), "without-packages/x86_64-os")
    }

    @Test func sourceTreeFilesArePungis() throws {
        try Self.expectSample(Self.files(name: "odcs-1", arch: "src", time: 1_796_580_643.162748), "with-packages/source-tree")
    }

    @Test func timesAreTruncatedInTheTreeInfoAndPrintedWithSixDecimalsElsewhere() {
        let files = Self.files(name: "odcs-7", arch: "aarch64", time: 1_700_000_000.9999996)
        #expect(files.treeInfo.contains("\ntimestamp = 1700000000\n"))
        #expect(files.treeInfo.contains("\nbuild_timestamp = 1700000000\n"))
        #expect(files.mediaID == "1700000001.000000")
        #expect(files.discInfo == "1700000001.000000\nodcs-7 1\naarch64\nALL\n")
    }
}
