/// The comps file Pungi adds to an os repository's repodata: what its INIT phase makes of the
/// compose's comps.xml (`comps_filter --arch --variant` drops empty groups, then
/// `CompsWrapper.write_comps` rewrites the rest through libcomps and `xml.dom.minidom`).
///
///     let comps = FilteredComps.odcsGroup(packages: ["foo", "baz"])
///     try comps.xml.write(toFile: "work/x86_64/comps/comps-Temporary.x86_64.xml", ...)
///
/// That rewrite is what a client sees, so it is reproduced here byte for byte
/// (`../shared/reference/pungi-tree-samples/`): groups sorted by id, an untyped `packagereq`
/// read as `type="mandatory"`, packages sorted by name (code point order, duplicates kept, as
/// libcomps keeps them), minidom's `DOCTYPE` on three lines, two-space indent, `<comps/>` when
/// no group is left. Text is escaped as minidom escapes it (`&`, `<`, `>`, `"`).
///
/// Every native generator that gives a compose comps writes them through this type; a module
/// compose (Pungi without `comps_file`) has none.
public struct FilteredComps: Sendable, Equatable {
    /// A comps group; its packages are all mandatory (the only type ODCS's comps.xml has).
    public struct Group: Sendable, Equatable {
        public var id: String
        public var name: String
        public var description: String
        public var isDefault: Bool
        public var userVisible: Bool
        public var packages: [String]

        public init(id: String, name: String, description: String, isDefault: Bool, userVisible: Bool, packages: [String]) {
            self.id = id
            self.name = name
            self.description = description
            self.isDefault = isDefault
            self.userVisible = userVisible
            self.packages = packages
        }
    }

    /// The groups left after filtering: those with at least one package.
    public private(set) var groups: [Group]

    public init(groups: [Group]) {
        self.groups = groups.filter { !$0.packages.isEmpty }
    }

    /// ODCS's comps.xml (`odcs-group` with the requested packages) as Pungi filters it; no
    /// packages (the whole tag, a build compose without a list) leave an empty `<comps/>`.
    public static func odcsGroup(packages: [String]) -> FilteredComps {
        FilteredComps(groups: [
            Group(
                id: "odcs-group", name: "odcs-group", description: "ODCS compose default group", isDefault: true, userVisible: true,
                packages: packages)
        ])
    }

    public var xml: String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE comps
              PUBLIC '-//Red Hat, Inc.//DTD Comps info//EN'
              'comps.dtd'>

            """
        guard !groups.isEmpty else { return xml + "<comps/>\n" }
        xml += "<comps>\n"
        for group in groups.sorted(by: { Self.precedes($0.id, $1.id) }) {
            xml += "  <group>\n"
            xml += Self.element("id", group.id, indent: 4)
            xml += Self.element("name", group.name, indent: 4)
            xml += Self.element("description", group.description, indent: 4)
            xml += Self.element("default", group.isDefault ? "true" : "false", indent: 4)
            xml += Self.element("uservisible", group.userVisible ? "true" : "false", indent: 4)
            xml += "    <packagelist>\n"
            for package in group.packages.sorted(by: Self.precedes) {
                xml += "      <packagereq type=\"mandatory\">\(Self.escaped(package))</packagereq>\n"
            }
            xml += "    </packagelist>\n  </group>\n"
        }
        return xml + "</comps>\n"
    }

    /// minidom writes an element without text as `<name/>`.
    static func element(_ name: String, _ text: String, indent: Int) -> String {
        let spaces = String(repeating: " ", count: indent)
        return text.isEmpty ? "\(spaces)<\(name)/>\n" : "\(spaces)<\(name)>\(escaped(text))</\(name)>\n"
    }

    /// Python's `sorted` order for `str`: by code point.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    /// minidom's `_write_data` (Python 3.12 and earlier).
    public static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
