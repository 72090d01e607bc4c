/// python-multilib's `RuntimeMultilibMethod` file tests: a package is runtime multilib when it ships a
/// shared library or a plugin that a 32-bit program would load.
///
/// The directory sets and patterns follow python-multilib 1.3 (the version Pungi 4.3.6 runs with) rule for
/// rule, including its quirks: `/usr/lib*` prefixes also match `/usr/libexec`, and `*` crosses `/`.
enum RuntimeLibraryRules {
    private static let rootLibDirs: Set<String> = ["/lib", "/lib64"]
    private static let libDirs: Set<String> = ["/lib", "/lib64", "/usr/lib", "/usr/lib64"]
    private static let oprofileDirs: Set<String> = ["/usr/lib/oprofile", "/usr/lib64/oprofile"]
    private static let wineDirs: Set<String> = ["/usr/lib/wine", "/usr/lib64/wine"]
    private static let saneDirs: Set<String> = ["/usr/lib/sane", "/usr/lib64/sane"]

    /// alsa, dri, gtk accessibility, scim-bridge-gtk, krb5, sasl, vdpau, pam and lsb plugin directories.
    private static let pluginDirs: Set<String> = {
        let usr = ["alsa-lib", "dri", "gtk-2.0/modules", "gtk-2.0/immodules", "krb5/plugins", "sasl2", "vdpau"]
        var dirs = Set(usr.map { "/usr/lib/\($0)" } + usr.map { "/usr/lib64/\($0)" })
        dirs.formUnion(["/lib/security", "/lib64/security", "/etc/lsb-release.d"])
        return dirs
    }()

    private static let soname = Glob("*.so.*")
    private static let gtkPluginDirs = ["engines", "modules", "immodules", "loaders", "printbackends", "filesystems"]
        .map { Glob("/usr/lib*/gtk-2.0/*/\($0)") }
    private static let usrPluginDirs = [
        "/usr/lib*/qt*/plugins/*", "/usr/lib*/kde*/plugins/*", "/usr/lib*/qt5/qml/*",
        "/usr/lib*/gdk-pixbuf-2.0/*/loaders", "/usr/lib*/xine/plugins/*",
    ].map(Glob.init)

    static func selects(files: [String]) -> Bool { files.contains(where: selects(file:)) }

    static func selects(file path: String) -> Bool {
        guard let slash = path.lastIndex(of: "/") else { return false }
        let dir = String(path[..<slash])
        let file = String(path[path.index(after: slash)...])
        if libDirs.contains(dir) && soname.matches(file) { return true }
        if pluginDirs.contains(dir) { return true }
        if dir == "/etc/ld.so.conf.d" && file.hasSuffix(".conf") { return true }
        // nss and db modules end in .so, not .so.N.
        if rootLibDirs.contains(dir) && (file.hasPrefix("libnss_") || file.hasPrefix("libdb-")) { return true }
        guard dir.hasPrefix("/usr/lib") else { return false }
        if dir.hasPrefix("/usr/lib/gtk-2.0") || dir.hasPrefix("/usr/lib64/gtk-2.0") {
            return gtkPluginDirs.matchAny(dir)
        }
        if dir.hasPrefix("/usr/lib/gstreamer-") || dir.hasPrefix("/usr/lib64/gstreamer-") { return true }
        if usrPluginDirs.matchAny(dir) { return true }
        if oprofileDirs.contains(dir) && soname.matches(file) { return true }
        if wineDirs.contains(dir) && file.hasSuffix(".so") { return true }
        if saneDirs.contains(dir) && file.hasPrefix("libsane-") { return true }
        return false
    }
}
