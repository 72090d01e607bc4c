import Foundation

extension XMLRPCDecoder {
    /// Decodes one `<value>` element.
    func value(_ node: XMLElementNode) throws(XMLSyntaxError) -> XMLRPCValue {
        guard node.name == "value" else { throw XMLSyntaxError(reason: "expected <value>, found <\(node.name)>") }
        // An untyped value is a string, kept exactly as written.
        if node.children.isEmpty { return .string(node.text) }
        let typed = try onlyChild(of: node)
        let text = typed.text
        let trimmed = XMLElementNode.trimmed(text)
        switch typed.name {
        case "array", "struct":
            break
        default:
            guard typed.children.isEmpty else { throw XMLSyntaxError(reason: "<\(typed.name)> may not hold elements") }
        }
        switch typed.name {
        case "nil", "ex:nil":
            guard trimmed.isEmpty else { throw XMLSyntaxError(reason: "<nil/> must be empty") }
            return .nil
        case "boolean":
            switch trimmed {
            case "1": return .bool(true)
            case "0": return .bool(false)
            default: throw XMLSyntaxError(reason: "bad boolean \"\(trimmed)\"")
            }
        case "int", "i4", "i8", "ex:i8", "i1", "i2":
            guard let number = Int64(trimmed) else { throw XMLSyntaxError(reason: "bad integer \"\(trimmed)\"") }
            return .int(number)
        case "double", "float":
            guard let number = Double(trimmed) else { throw XMLSyntaxError(reason: "bad double \"\(trimmed)\"") }
            return .double(number)
        case "string":
            return .string(text)
        case "dateTime.iso8601":
            return .dateTime(trimmed)
        case "base64":
            let compact = trimmed.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact) else { throw XMLSyntaxError(reason: "bad base64") }
            return .base64(data)
        case "array":
            let data = try onlyChild(of: typed, named: "data")
            try requireNoText(in: data)
            var elements: [XMLRPCValue] = []
            for child in data.children { elements.append(try value(child)) }
            return .array(elements)
        case "struct":
            try requireNoText(in: typed)
            var members: [(String, XMLRPCValue)] = []
            for member in typed.children {
                guard member.name == "member" else { throw XMLSyntaxError(reason: "unexpected <\(member.name)> in <struct>") }
                try requireNoText(in: member)
                guard member.children.count == 2, member.children[0].name == "name", member.children[0].children.isEmpty
                else { throw XMLSyntaxError(reason: "a <member> holds a <name> then a <value>") }
                members.append((member.children[0].text, try value(member.children[1])))
            }
            return .struct(members)
        default:
            throw XMLSyntaxError(reason: "unknown value type <\(typed.name)>")
        }
    }
}
