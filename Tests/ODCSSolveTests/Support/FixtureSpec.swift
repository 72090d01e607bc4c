/// One source package to build with rpmbuild: a main package and optional subpackages, each owning a
/// few small text files. No sources and no compiler, so a build takes a fraction of a second.
struct FixtureSpec {
    /// One binary package of the spec.
    struct Binary {
        var name: String
        var requires: [String] = []
        var provides: [String] = []
        /// Absolute paths; each gets a one-line text file.
        var files: [String] = []
        /// Extra preamble lines, e.g. `Requires(post): /usr/bin/sh` or an `%ifarch` block.
        var extraPreamble: [String] = []
    }

    var main: Binary
    var version = "1.0"
    var release = "1"
    /// `noarch`, `x86_64` or `i686`; a non-noarch spec is built with `--target`.
    var arch = "x86_64"
    var subpackages: [Binary] = []

    init(
        _ name: String, version: String = "1.0", release: String = "1", arch: String = "x86_64",
        requires: [String] = [], provides: [String] = [], files: [String]? = nil, extraPreamble: [String] = [],
        subpackages: [Binary] = []
    ) {
        self.main = Binary(
            name: name, requires: requires, provides: provides, files: files ?? ["/usr/share/\(name)/\(name).txt"],
            extraPreamble: extraPreamble)
        self.version = version
        self.release = release
        self.arch = arch
        self.subpackages = subpackages
    }

    var fileStem: String { "\(main.name)-\(version)-\(release)" }

    /// The spec text. Debuginfo, build-id links and brp scripts are off: the payload has no binaries.
    var text: String {
        var lines = [
            "%define debug_package %{nil}", "%define _build_id_links none", "%define __os_install_post %{nil}",
            "Name: \(main.name)", "Version: \(version)", "Release: \(release)", "Summary: fixture", "License: MIT",
        ]
        if arch == "noarch" { lines.append("BuildArch: noarch") }
        lines += preamble(of: main) + ["%description", "fixture"]
        for sub in subpackages {
            lines += ["%package -n \(sub.name)", "Summary: fixture"] + preamble(of: sub)
            lines += ["%description -n \(sub.name)", "fixture"]
        }
        lines.append("%install")
        for binary in [main] + subpackages {
            for file in binary.files {
                lines.append("mkdir -p \"%{buildroot}$(dirname '\(file)')\"")
                lines.append("echo '\(binary.name)' > '%{buildroot}\(file)'")
            }
        }
        lines += ["%files"] + main.files
        for sub in subpackages { lines += ["%files -n \(sub.name)"] + sub.files }
        return lines.joined(separator: "\n") + "\n"
    }

    private func preamble(of binary: Binary) -> [String] {
        binary.requires.map { "Requires: \($0)" } + binary.provides.map { "Provides: \($0)" } + binary.extraPreamble
    }
}
