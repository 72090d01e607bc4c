import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `repodata/repomd.xml`: the repository's revision and where each metadata file is.
public struct RepoMetadataIndex: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// Relative to the repository root, e.g. `repodata/<sha256>-primary.xml.gz`.
        public var href: String
        public var checksum: PackageChecksum?
    }

    /// `<revision>`: createrepo_c writes the creation time in seconds unless given
    /// `--revision`; upstream ODCS uses it as the compose's `koji_event`.
    public var revision: String?
    /// By `<data type>`: `primary`, `filelists`, `other`, `primary_db`, …
    public var entries: [String: Entry]

    public init(revision: String?, entries: [String: Entry]) {
        self.revision = revision
        self.entries = entries
    }

    /// Parses repomd.xml; the reason names what is wrong, for `RepoError.repository`.
    public init(parsing data: Data) throws(ParseFailure) {
        let delegate = RepomdDelegate()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else {
            throw ParseFailure(reason: "repomd.xml is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
        guard delegate.sawRoot else { throw ParseFailure(reason: "repomd.xml has no <repomd> element") }
        guard delegate.closedRoot else { throw ParseFailure(reason: "repomd.xml is truncated: no closing </repomd>") }
        self.init(revision: delegate.revision, entries: delegate.entries)
    }

    /// Why repository metadata could not be parsed.
    public struct ParseFailure: Error, Sendable {
        public var reason: String
    }
}

private final class RepomdDelegate: NSObject, XMLParserDelegate {
    var sawRoot = false
    var closedRoot = false
    var revision: String?
    var entries: [String: RepoMetadataIndex.Entry] = [:]
    private var path: [String] = []
    private var text = ""
    private var dataType: String?
    private var href: String?
    private var checksumType: String?
    private var checksum: PackageChecksum?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        path.append(elementName)
        text = ""
        switch (path.count, elementName) {
        case (1, "repomd"): sawRoot = true
        case (2, "data"):
            dataType = attributes["type"]
            href = nil
            checksum = nil
        case (3, "location") where dataType != nil: href = attributes["href"]
        case (3, "checksum") where dataType != nil: checksumType = attributes["type"]
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch (path.count, elementName) {
        case (1, "repomd"): closedRoot = true
        case (2, "revision"): revision = value
        case (3, "checksum") where dataType != nil:
            if let checksumType { checksum = PackageChecksum(type: checksumType, value: value) }
        case (2, "data"):
            if let dataType, let href { entries[dataType] = RepoMetadataIndex.Entry(href: href, checksum: checksum) }
            dataType = nil
        default: break
        }
        path.removeLast()
        text = ""
    }
}
