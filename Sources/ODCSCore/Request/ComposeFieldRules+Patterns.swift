extension ComposeFieldRules {
    /// What one item of a field may look like: ASCII only, a first character that is a letter
    /// or digit (so never `.`, `..`, `-option` or empty), then a small set of punctuation,
    /// with a length limit that keeps it one file name.
    ///
    /// `regex` says the same as `matches` in ECMA-262 syntax, for the OpenAPI document
    /// (`ComposeFieldRulesTests` checks that the two agree; `OpenAPIDocumentTests` that the
    /// document carries these).
    public struct Pattern: Sendable {
        public var summary: String
        public var regex: String
        var matches: @Sendable (String) -> Bool

        init(summary: String, regex: String, matches: @escaping @Sendable (String) -> Bool) {
            self.summary = summary
            self.regex = regex
            self.matches = matches
        }

        public func accepts(_ value: String) -> Bool { matches(value) }

        public static let arch = simple("an arch name (letters, digits and '_', at most 32)", rest: "_", maximum: 32)
        public static let kojiTag = simple("a Koji tag name (letters, digits and '_.+-')", rest: "_.+-")
        public static let nvr = simple("a Koji build NVR (letters, digits and '_.+~^-')", rest: "_.+~^-")
        public static let composeID = simple("a Pungi compose id (letters, digits and '_.+~-')", rest: "_.+~-")
        public static let label = simple("a label (letters, digits and '_.+~-', at most 200)", rest: "_.+~-", maximum: 200)
        public static let composeType = simple("a compose type (letters, digits and '_-', at most 64)", rest: "_-", maximum: 64)
        public static let moduleName = simple("a module name (letters, digits and '_.+-')", rest: "_.+-")
        public static let moduleStream = simple("a module stream (letters, digits and '_.+-')", rest: "_.+-")
        public static let contentSet = simple("a content set name (letters, digits and '_.+-')", rest: "_.+-")
        public static let number = Pattern(summary: "a task id (digits)", regex: "^[0-9]{1,19}$") { text in
            (1...19).contains(text.utf8.count) && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
        }
        public static let sigkey = Pattern(
            summary: "a signing key id (8 to 40 hexadecimal digits, or \"\" for unsigned)", regex: "^([0-9A-Fa-f]{8,40})?$"
        ) { text in
            text.isEmpty || ((8...40).contains(text.utf8.count) && text.utf8.allSatisfy(isHexDigit))
        }
        /// `name:stream[:version[:context]]`.
        public static let module = Pattern(
            summary: "a module as name:stream[:version[:context]] (letters, digits and '_.+-')",
            regex: "^\(name):\(stream)(:[0-9]{1,19}(:\(context))?)?$"
        ) { text in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (2...4).contains(parts.count), moduleName.matches(parts[0]), moduleStream.matches(parts[1]) else { return false }
            if parts.count > 2, !number.matches(parts[2]) { return false }
            if parts.count > 3, !moduleContext.matches(parts[3]) { return false }
            return true
        }
        /// A commit hash or a branch name (`main`, `f40/release-1.0`), never an option, a
        /// revision expression, `.` or `..`: letters and digits, single separators `._/+-` between them.
        public static let gitRevision = Pattern(
            summary: "a git commit hash or branch name", regex: "^[A-Za-z0-9]+([._/+\\-][A-Za-z0-9]+)*$"
        ) { text in
            var previousIsSeparator = true
            for scalar in text.unicodeScalars {
                if isASCIIAlphanumeric(scalar) {
                    previousIsSeparator = false
                } else if "._/+-".unicodeScalars.contains(scalar), !previousIsSeparator {
                    previousIsSeparator = true
                } else {
                    return false
                }
            }
            return !text.isEmpty && !previousIsSeparator
        }

        public static let moduleContext = simple("a module context (letters, digits and '_')", rest: "_")

        static func simple(_ summary: String, rest: String, maximum: Int = 255) -> Pattern {
            let punctuation = Set(rest.unicodeScalars)
            return Pattern(summary: summary, regex: "^" + regexBody(rest: rest, maximum: maximum) + "$") { text in
                guard let first = text.unicodeScalars.first, isASCIIAlphanumeric(first), text.utf8.count <= maximum else { return false }
                return text.unicodeScalars.allSatisfy { isASCIIAlphanumeric($0) || punctuation.contains($0) }
            }
        }

        /// The patterns the OpenAPI document states for the request fields, by
        /// `<schema>.<property>` (`[]` for a list's items).
        public static let documented: [String: Pattern] = [
            "ComposeRequest.arches[]": arch, "ComposeRequest.multilib_arches[]": arch,
            "ComposeRequest.parent_pungi_compose_ids[]": composeID, "ComposeRequest.respin_of": composeID,
            "ComposeRequest.label": label, "ComposeRequest.compose_type": composeType,
            "ComposeSource.builds[]": nvr, "ComposeSource.sigkeys[]": sigkey, "ComposeSource.modules[]": module,
            "ComposeSource.scratch_modules[]": module, "ComposeSource.modular_koji_tags[]": kojiTag,
            "ComposeSource.scratch_build_tasks[]": number, "ComposeSource.base_module_br_name": moduleName,
            "ComposeSource.base_module_br_stream": moduleStream, "ComposeSource.module_defaults_commit": gitRevision,
            "RenewRequest.label": label, "RenewRequest.sigkeys[]": sigkey, "RenewRequest.source.builds[]": nvr,
            "RenewRequest.source.modules[]": module,
        ]

        /// `[A-Za-z0-9][A-Za-z0-9<rest>]{0,maximum-1}` with the punctuation escaped for a class.
        static func regexBody(rest: String, maximum: Int) -> String {
            let escaped = rest.map { "-^]\\".contains($0) ? "\\\($0)" : String($0) }.joined()
            return "[A-Za-z0-9][A-Za-z0-9\(escaped)]{0,\(maximum - 1)}"
        }

        static var name: String { regexBody(rest: "_.+-", maximum: 255) }
        static var stream: String { regexBody(rest: "_.+-", maximum: 255) }
        static var context: String { regexBody(rest: "_", maximum: 255) }

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
