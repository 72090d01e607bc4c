import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An XML element with its children and the character data directly inside it; the decoder
/// reads XML-RPC from this small tree instead of from parser callbacks.
struct XMLElementNode {
    var name: String
    var children: [XMLElementNode] = []
    var text = ""

    /// Parses a whole document with `XMLParser`; throws a sentence naming the line on bad XML.
    static func parse(_ data: Data) throws(XMLSyntaxError) -> XMLElementNode {
        guard !data.isEmpty else { throw XMLSyntaxError(reason: "the body is empty") }
        // A DOCTYPE has no business in XML-RPC; refusing it rules out entity expansion attacks,
        // which XMLParser on Linux neither reports nor refuses.
        guard data.range(of: Data("<!DOCTYPE".utf8)) == nil else {
            throw XMLSyntaxError(reason: "a document type declaration is not allowed")
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        if let failure = builder.failure { throw failure }
        // XMLParser on Linux can return true and still record an error (content after the root).
        guard ok, parser.parserError == nil, let root = builder.root else {
            let code = (parser.parserError as NSError?)?.code ?? 0
            throw XMLSyntaxError(
                reason: "XML is not well-formed at line \(parser.lineNumber), column \(parser.columnNumber) (XMLParser error \(code))")
        }
        return root
    }

    /// The text when it is only whitespace between elements, which XML-RPC ignores.
    var hasOnlyWhitespaceText: Bool {
        text.utf8.allSatisfy(XMLElementNode.isXMLWhitespace)
    }

    /// XML's whitespace (space, tab, CR, LF), checked on bytes: `CharacterSet` and
    /// `trimmingCharacters(in:)` go through NSString on Linux and cost a tenth of the decoding
    /// of a large Koji answer.
    static func isXMLWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }

    /// `text` without leading and trailing XML whitespace.
    static func trimmed(_ text: String) -> String {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !isXMLWhitespace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isXMLWhitespace($0) })!
        if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return text }
        return String(text[first...last])
    }
}

struct XMLSyntaxError: Error {
    var reason: String
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLElementNode] = []
    var root: XMLElementNode?
    var failure: XMLSyntaxError?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        stack.append(XMLElementNode(name: elementName))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let node = stack.popLast() else { return }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        guard let text = String(data: CDATABlock, encoding: .utf8) else {
            failure = XMLSyntaxError(reason: "CDATA section is not UTF-8")
            parser.abortParsing()
            return
        }
        stack[stack.count - 1].text += text
    }
}
