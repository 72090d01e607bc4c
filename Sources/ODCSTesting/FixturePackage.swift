/// One spec file's worth of fixture RPMs for `FixtureRPMs`: a main package, its
/// subpackages and (from the same build) its source RPM.
///
///     FixturePackage("foo", version: "1.1", arch: "x86_64", requires: ["libbar"], subpackages: ["devel", "debuginfo"])
public struct FixturePackage: Sendable, Hashable {
    public var name: String
    public var version: String
    public var release: String
    public var epoch: Int?
    /// `noarch` (`BuildArch: noarch`) or an arch rpmbuild can target from this machine
    /// (`x86_64`, `i686`: built with `--target`).
    public var arch: String
    public var requires: [String]
    public var provides: [String]
    /// Suffixes: `devel` makes `<name>-devel`, `debuginfo` makes `<name>-debuginfo`, and so on.
    public var subpackages: [String]
    /// More absolute paths the main package owns (a library in `/usr/lib64`, a tool in
    /// `/usr/bin` for a file dependency), each a small text file.
    public var files: [String]

    public init(
        _ name: String, version: String = "1.0", release: String = "1", epoch: Int? = nil, arch: String = "noarch",
        requires: [String] = [], provides: [String] = [], subpackages: [String] = [], files: [String] = []
    ) {
        self.name = name
        self.version = version
        self.release = release
        self.epoch = epoch
        self.arch = arch
        self.requires = requires
        self.provides = provides
        self.subpackages = subpackages
        self.files = files
    }

    /// Every binary package name the spec builds.
    public var binaryNames: [String] { [name] + subpackages.map { "\(name)-\($0)" } }

    /// A spec that needs no sources and no compiler: each package owns one text file.
    /// The automatic debuginfo package is off, so that a `debuginfo` subpackage is ours.
    public var spec: String {
        var lines = [
            "%define debug_package %{nil}",
            "Name: \(name)",
            "Version: \(version)",
            "Release: \(release)",
        ]
        if let epoch { lines.append("Epoch: \(epoch)") }
        lines += ["Summary: Fixture package \(name)", "License: MIT"]
        if arch == "noarch" { lines.append("BuildArch: noarch") }
        lines += requires.map { "Requires: \($0)" }
        lines += provides.map { "Provides: \($0)" }
        lines += ["", "%description", "Fixture package \(name).", ""]
        for suffix in subpackages {
            lines += ["%package \(suffix)", "Summary: Fixture package \(name)-\(suffix)", "%description \(suffix)", "Fixture.", ""]
        }
        let directory = "%{buildroot}/usr/share/fixture/\(name)"
        lines += ["%install", "mkdir -p \(directory)"]
        lines += (["main"] + subpackages).map { "echo '\(name) \(version)-\(release)' > \(directory)/\($0).txt" }
        for file in files {
            let parent = file.split(separator: "/").dropLast().joined(separator: "/")
            lines += ["mkdir -p %{buildroot}/\(parent)", "echo '\(name)' > %{buildroot}\(file)"]
        }
        lines += ["", "%files", "/usr/share/fixture/\(name)/main.txt"] + files
        for suffix in subpackages { lines += ["%files \(suffix)", "/usr/share/fixture/\(name)/\(suffix).txt"] }
        return lines.joined(separator: "\n") + "\n"
    }
}
