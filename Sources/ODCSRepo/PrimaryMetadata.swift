import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads an uncompressed `primary.xml` into packages, streaming, so that a large repository
/// is never held in memory as text.
public enum PrimaryMetadata {
    /// Parses the file at `path`. Throws `RepoMetadataIndex.ParseFailure` naming what is wrong.
    public static func packages(inFile path: String) throws(RepoMetadataIndex.ParseFailure) -> [RepoPackage] {
        guard let stream = InputStream(fileAtPath: path) else {
            throw RepoMetadataIndex.ParseFailure(reason: "cannot open \(path)")
        }
        return try packages(parser: XMLParser(stream: stream))
    }

    /// Parses primary.xml held in memory (small repositories, tests).
    public static func packages(in data: Data) throws(RepoMetadataIndex.ParseFailure) -> [RepoPackage] {
        try packages(parser: XMLParser(data: data))
    }

    private static func packages(parser: XMLParser) throws(RepoMetadataIndex.ParseFailure) -> [RepoPackage] {
        let delegate = PrimaryDelegate()
        parser.delegate = delegate
        let parsed = parser.parse()
        if let failure = delegate.failure { throw RepoMetadataIndex.ParseFailure(reason: failure) }
        guard parsed else {
            throw RepoMetadataIndex.ParseFailure(
                reason: "primary.xml is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
        guard delegate.sawRoot else { throw RepoMetadataIndex.ParseFailure(reason: "primary.xml has no <metadata> element") }
        // Foundation's stream parser can report success on a truncated document; the closing
        // tag and the package count createrepo_c writes catch that.
        guard delegate.closedRoot else { throw RepoMetadataIndex.ParseFailure(reason: "primary.xml is truncated: no closing </metadata>") }
        if let declared = delegate.declaredCount, declared != delegate.packages.count {
            throw RepoMetadataIndex.ParseFailure(
                reason: "primary.xml declares \(declared) packages but lists \(delegate.packages.count)")
        }
        return delegate.packages
    }
}

private final class PrimaryDelegate: NSObject, XMLParserDelegate {
    var sawRoot = false
    var closedRoot = false
    var declaredCount: Int?
    var packages: [RepoPackage] = []
    var failure: String?

    private var depth = 0
    private var inPackage = false
    private var capturing = false
    private var text = ""
    private var current = Fields()

    private struct Fields {
        var name = ""
        var arch = ""
        var epoch = "0"
        var version = ""
        var release = ""
        var checksumType = ""
        var checksum = ""
        var size = ""
        var href = ""
        var base: String?
        var sourceRPM: String?
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        depth += 1
        switch (depth, elementName) {
        case (1, "metadata"):
            sawRoot = true
            declaredCount = attributes["packages"].flatMap { Int($0) }
        case (2, "package"):
            inPackage = attributes["type"].map { $0 == "rpm" } ?? true
            current = Fields()
        case (3, "name"), (3, "arch"), (4, "rpm:sourcerpm"):
            capturing = inPackage
            text = ""
        case (3, "checksum"):
            capturing = inPackage
            text = ""
            current.checksumType = attributes["type"] ?? ""
        case (3, "version"):
            current.epoch = attributes["epoch"].flatMap { $0.isEmpty ? nil : $0 } ?? "0"
            current.version = attributes["ver"] ?? ""
            current.release = attributes["rel"] ?? ""
        case (3, "size"): current.size = attributes["package"] ?? ""
        case (3, "location"):
            current.href = attributes["href"] ?? ""
            current.base = attributes["xml:base"]
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if capturing { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        defer { depth -= 1 }
        if depth == 1 && elementName == "metadata" { closedRoot = true }
        guard inPackage else { return }
        let value = capturing ? text.trimmingCharacters(in: .whitespacesAndNewlines) : ""
        capturing = false
        switch (depth, elementName) {
        case (3, "name"): current.name = value
        case (3, "arch"): current.arch = value
        case (3, "checksum"): current.checksum = value
        case (4, "rpm:sourcerpm"): current.sourceRPM = value.isEmpty ? nil : value
        case (2, "package"):
            inPackage = false
            do {
                packages.append(try makePackage())
            } catch {
                failure = error.reason
                parser.abortParsing()
            }
        default: break
        }
    }

    private func makePackage() throws(RepoMetadataIndex.ParseFailure) -> RepoPackage {
        let label = current.name.isEmpty ? "package #\(packages.count + 1)" : "package \(current.name)"
        func fail(_ reason: String) -> RepoMetadataIndex.ParseFailure {
            RepoMetadataIndex.ParseFailure(reason: "primary.xml: \(label): \(reason)")
        }
        guard !current.name.isEmpty, !current.arch.isEmpty, !current.version.isEmpty else {
            throw fail("missing name, arch or version")
        }
        guard let epoch = Int(current.epoch), epoch >= 0 else { throw fail("bad epoch '\(current.epoch)'") }
        guard let size = Int64(current.size), size >= 0 else { throw fail("bad package size '\(current.size)'") }
        guard !current.checksumType.isEmpty, !current.checksum.isEmpty else { throw fail("missing checksum") }
        // A location must stay inside the repository: it becomes a path we read and a file
        // name we write.
        let components = current.href.split(separator: "/", omittingEmptySubsequences: false)
        guard !current.href.isEmpty, !current.href.hasPrefix("/"), !components.contains(".."), !components.contains(""),
            current.href.hasSuffix(".rpm")
        else {
            throw fail("unusable location href '\(current.href)'")
        }
        return RepoPackage(
            name: current.name, evr: RPMVersion(epoch: epoch, version: current.version, release: current.release),
            arch: current.arch, href: current.href, base: current.base,
            checksum: PackageChecksum(type: current.checksumType, value: current.checksum), size: size,
            sourceRPM: current.sourceRPM)
    }
}
