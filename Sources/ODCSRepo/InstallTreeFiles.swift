import Foundation

/// `.treeinfo`, `.discinfo` and `media.repo`: what Pungi writes at the top of each tree it
/// makes installable (every `<arch>/os` and `source/tree`, not `debug/tree`), after the
/// repodata and before composeinfo.json. virt-install `--location`, Anaconda and PackageKit
/// read them.
///
///     let files = InstallTreeFiles(compose: productmd, variant: "Temporary", arch: "x86_64", time: now)
///     files.treeInfo   // productmd treeinfo 1.2
///
/// The text is Pungi 4.3.6's for an ODCS compose (`pungi.metadata.write_tree_info`,
/// `write_discinfo`, `write_media_repo`; samples in `../shared/reference/pungi-tree-samples/`):
/// the treeinfo as productmd's `SortedConfigParser` writes it (sections and keys sorted, with
/// the pre-productmd `[general]` section), the `.discinfo` timestamp as Python's `"%f" %
/// time.time()`, which `media.repo` repeats as its `mediaid`. The source tree's arch is `src`.
/// Packages are in `Packages`, the repository is the tree itself (`.`). No `[checksums]`:
/// Pungi looks for `repodata/repomd.xml` relative to its working directory, not the tree,
/// and so never finds it.
public struct InstallTreeFiles: Sendable, Equatable {
    public var compose: ProductmdCompose
    public var variant: String
    /// The tree's arch; `src` for the source tree.
    public var arch: String
    /// When the files were written (seconds since the epoch).
    public var time: Double

    public init(compose: ProductmdCompose, variant: String = "Temporary", arch: String, time: Date) {
        self.compose = compose
        self.variant = variant
        self.arch = arch
        self.time = time.timeIntervalSince1970
    }

    /// Release name and version, as `.discinfo`, `media.repo` and treeinfo's `[general]` name
    /// the tree.
    var description: String { "\(compose.releaseName) \(compose.releaseVersion)" }

    /// `.treeinfo` (productmd.treeinfo 1.2).
    public var treeInfo: String {
        let timestamp = String(Int64(time.rounded(.towardZero)))
        let sections: [(String, [(String, String)])] = [
            (
                "general",
                [
                    ("; WARNING.0", "This section provides compatibility with pre-productmd treeinfos."),
                    ("; WARNING.1", "Read productmd documentation for details about new format."),
                    ("arch", arch), ("family", compose.releaseName), ("name", description), ("packagedir", "Packages"),
                    ("platforms", arch), ("repository", "."), ("timestamp", timestamp), ("variant", variant), ("variants", variant),
                    ("version", compose.releaseVersion),
                ]
            ),
            ("header", [("type", "productmd.treeinfo"), ("version", "1.2")]),
            ("release", [("name", compose.releaseName), ("short", compose.releaseShort), ("version", compose.releaseVersion)]),
            ("tree", [("arch", arch), ("build_timestamp", timestamp), ("platforms", arch), ("variants", variant)]),
            (
                "variant-\(variant)",
                [
                    ("id", variant), ("name", variant), ("packages", "Packages"), ("repository", "."), ("type", "variant"),
                    ("uid", variant),
                ]
            ),
        ]
        return sections.map { name, options in
            "[\(name)]\n" + options.map { "\($0.0) = \(Self.configValue($0.1))\n" }.joined() + "\n"
        }.joined()
    }

    /// The `.discinfo` timestamp and `media.repo` `mediaid`: Python's `"%f" % time.time()`.
    public var mediaID: String { String(format: "%f", time) }

    /// `.discinfo`: timestamp, description, arch, disc numbers (`ALL`).
    public var discInfo: String { "\(mediaID)\n\(description)\n\(arch)\nALL\n" }

    /// `media.repo`.
    public var mediaRepo: String {
        "[InstallMedia]\nname=\(description)\nmediaid=\(mediaID)\nmetadata_expire=-1\ngpgcheck=0\ncost=500\n"
    }

    /// configparser writes a value's further lines indented by a tab.
    static func configValue(_ value: String) -> String {
        value.replacingOccurrences(of: "\n", with: "\n\t")
    }
}
