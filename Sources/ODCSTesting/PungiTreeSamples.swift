import Foundation
import ODCSRepo

/// Real Pungi 4.3.6's tree files for two ODCS tag composes (`Tests/Fixtures/pungi-tree-golden`,
/// a copy of `../shared/reference/pungi-tree-samples`): `with-packages` is odcs-1 with the
/// packages foo and baz, `without-packages` odcs-4, the whole tag; `x86_64-os` and
/// `source-tree` hold what Pungi wrote in `compose/Temporary/x86_64/os` and `…/source/tree`.
public enum PungiTreeSamples {
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/pungi-tree-golden")

    /// A sample file, e.g. `with-packages/x86_64-os/.treeinfo`.
    public static func text(_ relative: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)
    }

    /// The sha256 that a sample's `repomd.xml` gives its `group` record (the comps file).
    public static func groupChecksum(_ sample: String) throws -> String? {
        let repomd = try text("\(sample)/x86_64-os/repomd.xml")
        guard let record = repomd.range(of: "<data type=\"group\">"),
            let open = repomd.range(of: "<checksum type=\"sha256\">", range: record.upperBound..<repomd.endIndex),
            let close = repomd.range(of: "</checksum>", range: open.upperBound..<repomd.endIndex)
        else { return nil }
        return String(repomd[open.upperBound..<close.lowerBound])
    }

    /// The sha256 of `text`, as createrepo_c checksums a record.
    public static func sha256(_ text: String) -> String {
        var hasher = PackageHasher(type: "sha256")!
        Array(text.utf8).withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }
}
