extension ComposeFieldRules {
    /// What one item of a field may look like: ASCII only, a first character that is a letter
    /// or digit (so never `.`, `..`, `-option` or empty), then a small set of punctuation,
    /// with a length limit that keeps it one file name.
    struct Pattern: Sendable {
        var summary: String
        var matches: @Sendable (String) -> Bool

        static let arch = simple("an arch name (letters, digits and '_', at most 32)", rest: "_", maximum: 32)
        static let kojiTag = simple("a Koji tag name (letters, digits and '_.+-')", rest: "_.+-")
        static let nvr = simple("a Koji build NVR (letters, digits and '_.+~^-')", rest: "_.+~^-")
        static let composeID = simple("a Pungi compose id (letters, digits and '_.+~-')", rest: "_.+~-")
        static let label = simple("a label (letters, digits and '_.+~-', at most 200)", rest: "_.+~-", maximum: 200)
        static let composeType = simple("a compose type (letters, digits and '_-', at most 64)", rest: "_-", maximum: 64)
        static let moduleName = simple("a module name (letters, digits and '_.+-')", rest: "_.+-")
        static let moduleStream = simple("a module stream (letters, digits and '_.+-')", rest: "_.+-")
        static let contentSet = simple("a content set name (letters, digits and '_.+-')", rest: "_.+-")
        static let number = Pattern(summary: "a task id (digits)") { text in
            (1...19).contains(text.utf8.count) && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
        }
        static let sigkey = Pattern(summary: "a signing key id (8 to 40 hexadecimal digits, or \"\" for unsigned)") { text in
            text.isEmpty || ((8...40).contains(text.utf8.count) && text.utf8.allSatisfy(isHexDigit))
        }
        /// `name:stream[:version[:context]]`.
        static let module = Pattern(summary: "a module as name:stream[:version[:context]] (letters, digits and '_.+-')") { text in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (2...4).contains(parts.count), moduleName.matches(parts[0]), moduleStream.matches(parts[1]) else { return false }
            if parts.count > 2, !number.matches(parts[2]) { return false }
            if parts.count > 3, !simple("", rest: "_").matches(parts[3]) { return false }
            return true
        }
        /// A commit hash or a branch name, never an option or a revision expression.
        static let gitRevision = Pattern(summary: "a git commit hash or branch name") { text in
            guard let first = text.unicodeScalars.first, first != "-", !text.contains(".."), text.utf8.count <= 255 else {
                return false
            }
            return text.unicodeScalars.allSatisfy { isASCIIAlphanumeric($0) || "._/+-".unicodeScalars.contains($0) }
        }

        static func simple(_ summary: String, rest: String, maximum: Int = 255) -> Pattern {
            let punctuation = Set(rest.unicodeScalars)
            return Pattern(summary: summary) { text in
                guard let first = text.unicodeScalars.first, isASCIIAlphanumeric(first), text.utf8.count <= maximum else { return false }
                return text.unicodeScalars.allSatisfy { isASCIIAlphanumeric($0) || punctuation.contains($0) }
            }
        }

        static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
        }

        /// C0 and C1 controls and DEL.
        static func isControl(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
        }

        /// `/a/b` or `/a/b/`: no empty, `.` or `..` component, no control character.
        static func isNormalAbsolutePath(_ path: String) -> Bool {
            guard path.hasPrefix("/"), !path.unicodeScalars.contains(where: isControl) else { return false }
            var components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            if path.count > 1, components.last == "" { components = components.dropLast() }
            if path == "/" { return true }
            return components.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
        }

        /// Whether the normal absolute `path` is `root` or below it (both taken lexically).
        static func isPath(_ path: String, inside root: String) -> Bool {
            var root = root
            while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
            if root == "/" { return true }
            var path = path
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            return path == root || path.hasPrefix(root + "/")
        }
    }
}
