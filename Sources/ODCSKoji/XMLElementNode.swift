import Foundation

/// An XML element with its children and the character data directly inside it; the decoder
/// reads XML-RPC from this small tree.
struct XMLElementNode {
    var name: String
    var children: [XMLElementNode] = []
    var text = ""

    /// Parses a whole document; throws a sentence naming the line on bad XML.
    ///
    /// A parser of its own rather than Foundation's `XMLParser`: XML-RPC uses a small part of
    /// XML (elements, character data, the five entities and character references, CDATA,
    /// comments and processing instructions), and Koji's answer for a large tag is many
    /// megabytes, which `XMLParser` on Linux decoded at about 6 MB/s (docs/benchmarks.md).
    /// Document type declarations are refused: they have no business in XML-RPC, and refusing
    /// them rules out entity expansion attacks.
    static func parse(_ data: Data) throws(XMLSyntaxError) -> XMLElementNode {
        guard !data.isEmpty else { throw XMLSyntaxError(reason: "the body is empty") }
        let bytes = [UInt8](data)
        var parser = XMLByteParser(bytes: bytes)
        return try parser.document()
    }

    /// The text when it is only whitespace between elements, which XML-RPC ignores.
    var hasOnlyWhitespaceText: Bool {
        text.utf8.allSatisfy(XMLElementNode.isXMLWhitespace)
    }

    /// XML's whitespace (space, tab, CR, LF), checked on bytes: `CharacterSet` and
    /// `trimmingCharacters(in:)` go through NSString on Linux.
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

/// A well-formedness-checking parser over UTF-8 bytes for the XML that XML-RPC uses.
private struct XMLByteParser {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // The bytes the parser looks for.
    static let less = UInt8(ascii: "<"), greater = UInt8(ascii: ">"), slash = UInt8(ascii: "/")
    static let question = UInt8(ascii: "?"), bang = UInt8(ascii: "!"), amp = UInt8(ascii: "&")
    static let semicolon = UInt8(ascii: ";"), equals = UInt8(ascii: "="), quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'")

    func fail(_ reason: String) -> XMLSyntaxError {
        let line = bytes[..<min(position, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        return XMLSyntaxError(reason: "XML is not well-formed at line \(line): \(reason)")
    }

    mutating func document() throws(XMLSyntaxError) -> XMLElementNode {
        // A UTF-8 byte order mark is allowed before the declaration.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        try skipMisc()
        guard position < bytes.count, bytes[position] == Self.less else { throw fail("no root element") }
        let root = try element()
        try skipMisc()
        guard position == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Whitespace, comments and processing instructions outside the root.
    mutating func skipMisc() throws(XMLSyntaxError) {
        while position < bytes.count {
            let byte = bytes[position]
            if XMLElementNode.isXMLWhitespace(byte) {
                position += 1
            } else if starts(with: "<?") {
                try skip(past: "?>")
            } else if starts(with: "<!--") {
                try skip(past: "-->")
            } else if starts(with: "<!") {
                throw fail("a document type declaration is not allowed")
            } else {
                return
            }
        }
    }

    func starts(with text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        return text.withUTF8Buffer { prefix in
            for index in 0..<count where bytes[position + index] != prefix[index] { return false }
            return true
        }
    }

    mutating func skip(past terminator: StaticString) throws(XMLSyntaxError) {
        while position < bytes.count {
            if starts(with: terminator) {
                position += terminator.utf8CodeUnitCount
                return
            }
            position += 1
        }
        throw fail("unterminated \(terminator) construct")
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        !XMLElementNode.isXMLWhitespace(byte) && byte != less && byte != greater && byte != slash && byte != equals
            && byte != quote && byte != apostrophe && byte != amp && byte != question && byte != bang
    }

    mutating func name() throws(XMLSyntaxError) -> String {
        let start = position
        while position < bytes.count && Self.isNameByte(bytes[position]) { position += 1 }
        guard position > start else { throw fail("an element name is missing") }
        return try text(start..<position)
    }

    func text(_ range: Range<Int>) throws(XMLSyntaxError) -> String {
        guard let string = String(validating: bytes[range], as: UTF8.self) else { throw fail("the text is not UTF-8") }
        return string
    }

    mutating func skipWhitespace() {
        while position < bytes.count && XMLElementNode.isXMLWhitespace(bytes[position]) { position += 1 }
    }

    /// An element starting at `<`: its attributes are read and ignored (XML-RPC has none).
    mutating func element() throws(XMLSyntaxError) -> XMLElementNode {
        position += 1
        var node = XMLElementNode(name: try name())
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw fail("<\(node.name)> is not closed") }
            let byte = bytes[position]
            if byte == Self.greater {
                position += 1
                break
            }
            if byte == Self.slash {
                guard position + 1 < bytes.count, bytes[position + 1] == Self.greater else { throw fail("bad empty element") }
                position += 2
                return node
            }
            _ = try name()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == Self.equals else { throw fail("an attribute lacks its value") }
            position += 1
            skipWhitespace()
            guard position < bytes.count, bytes[position] == Self.quote || bytes[position] == Self.apostrophe else {
                throw fail("an attribute value must be quoted")
            }
            let delimiter = bytes[position]
            position += 1
            while position < bytes.count && bytes[position] != delimiter {
                guard bytes[position] != Self.less else { throw fail("< in an attribute value") }
                position += 1
            }
            guard position < bytes.count else { throw fail("an attribute value is not closed") }
            position += 1
        }
        // Content: character data, references, CDATA, comments, child elements, then the end tag.
        var textBytes: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("<\(node.name)> is not closed") }
            let byte = bytes[position]
            if byte == Self.less {
                if starts(with: "</") {
                    position += 2
                    let closing = try name()
                    guard closing == node.name else { throw fail("</\(closing)> closes <\(node.name)>") }
                    skipWhitespace()
                    guard position < bytes.count, bytes[position] == Self.greater else { throw fail("bad end tag </\(closing)>") }
                    position += 1
                    break
                } else if starts(with: "<![CDATA[") {
                    position += 9
                    let start = position
                    while position < bytes.count && !starts(with: "]]>") { position += 1 }
                    guard position < bytes.count else { throw fail("unterminated CDATA section") }
                    textBytes += bytes[start..<position]
                    position += 3
                } else if starts(with: "<!--") {
                    try skip(past: "-->")
                } else if starts(with: "<?") {
                    try skip(past: "?>")
                } else if starts(with: "<!") {
                    throw fail("a declaration is not allowed inside an element")
                } else {
                    node.children.append(try element())
                }
            } else if byte == Self.amp {
                try reference(into: &textBytes)
            } else {
                let start = position
                while position < bytes.count && bytes[position] != Self.less && bytes[position] != Self.amp { position += 1 }
                textBytes += bytes[start..<position]
            }
        }
        if !textBytes.isEmpty {
            guard let string = String(validating: textBytes, as: UTF8.self) else { throw fail("the text is not UTF-8") }
            node.text = string
        }
        return node
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#NN;` `&#xNN;`; any other entity is an error
    /// (only a DTD could define one).
    mutating func reference(into text: inout [UInt8]) throws(XMLSyntaxError) {
        let start = position + 1
        var end = start
        while end < bytes.count && bytes[end] != Self.semicolon && end - start < 12 { end += 1 }
        guard end < bytes.count, bytes[end] == Self.semicolon else { throw fail("an unterminated entity reference") }
        let entity = try self.text(start..<end)
        position = end + 1
        switch entity {
        case "lt": text.append(Self.less)
        case "gt": text.append(Self.greater)
        case "amp": text.append(Self.amp)
        case "quot": text.append(Self.quote)
        case "apos": text.append(Self.apostrophe)
        default:
            var scalarValue: UInt32?
            if entity.hasPrefix("#x") {
                scalarValue = UInt32(entity.dropFirst(2), radix: 16)
            } else if entity.hasPrefix("#") {
                scalarValue = UInt32(entity.dropFirst(1), radix: 10)
            } else {
                throw fail("unknown entity &\(entity);")
            }
            guard let value = scalarValue, let scalar = Unicode.Scalar(value) else {
                throw fail("bad character reference &\(entity);")
            }
            text += Array(String(Character(scalar)).utf8)
        }
    }
}
