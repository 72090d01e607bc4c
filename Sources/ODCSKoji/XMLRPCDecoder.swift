import Foundation

/// Reads XML-RPC documents: a hub's `<methodResponse>` (value or fault) and, for a test hub,
/// a client's `<methodCall>` with Koji's keyword struct split off.
///
/// Whitespace between elements is ignored; the text of `<string>` and of an untyped
/// `<value>` (which XML-RPC says is a string) is kept exactly; numbers, booleans, dates and
/// base64 may be surrounded by whitespace.
///
/// ```swift
/// let build = try XMLRPCDecoder().decodeResponse(body).get()
/// ```
public struct XMLRPCDecoder: Sendable {
    public init() {}

    /// Decodes a `<methodResponse>`; throws ``KojiError/malformedResponse(_:)`` when it is not one.
    public func decodeResponse(_ data: Data) throws(KojiError) -> XMLRPCResponse {
        do {
            return try response(from: try XMLElementNode.parse(data))
        } catch {
            throw .malformedResponse(error.reason)
        }
    }

    public func decodeResponse(_ text: String) throws(KojiError) -> XMLRPCResponse {
        try decodeResponse(Data(text.utf8))
    }

    /// Decodes a `<methodCall>`; a final struct param whose `__starstar` member is true becomes
    /// the keyword arguments, as Koji's hub does. Throws ``KojiError/malformedCall(_:)``.
    public func decodeCall(_ data: Data) throws(KojiError) -> XMLRPCCall {
        do {
            return try call(from: try XMLElementNode.parse(data))
        } catch {
            throw .malformedCall(error.reason)
        }
    }

    public func decodeCall(_ text: String) throws(KojiError) -> XMLRPCCall {
        try decodeCall(Data(text.utf8))
    }

    func response(from root: XMLElementNode) throws(XMLSyntaxError) -> XMLRPCResponse {
        guard root.name == "methodResponse" else { throw XMLSyntaxError(reason: "root is <\(root.name)>, not <methodResponse>") }
        let body = try onlyChild(of: root)
        switch body.name {
        case "params":
            let values = try params(of: body)
            guard values.count == 1 else { throw XMLSyntaxError(reason: "a response has \(values.count) values, not 1") }
            return .value(values[0])
        case "fault":
            let fault = try value(try onlyChild(of: body, named: "value"))
            guard case .int(let code) = fault["faultCode"], let code = Int(exactly: code),
                let message = fault["faultString"]?.stringValue
            else { throw XMLSyntaxError(reason: "a fault lacks an int faultCode or a string faultString") }
            return .fault(code: code, message: message)
        default:
            throw XMLSyntaxError(reason: "unexpected <\(body.name)> in <methodResponse>")
        }
    }

    func call(from root: XMLElementNode) throws(XMLSyntaxError) -> XMLRPCCall {
        guard root.name == "methodCall" else { throw XMLSyntaxError(reason: "root is <\(root.name)>, not <methodCall>") }
        try requireNoText(in: root)
        guard let nameNode = root.children.first, nameNode.name == "methodName", nameNode.children.isEmpty,
            !nameNode.text.isEmpty
        else { throw XMLSyntaxError(reason: "a call must start with a non-empty <methodName>") }
        var params: [XMLRPCValue] = []
        switch root.children.count {
        case 1: break
        case 2 where root.children[1].name == "params": params = try self.params(of: root.children[1])
        default: throw XMLSyntaxError(reason: "a call holds <methodName> and at most one <params>")
        }
        return XMLRPCCall(methodName: nameNode.text, params: params)
    }

    func params(of node: XMLElementNode) throws(XMLSyntaxError) -> [XMLRPCValue] {
        try requireNoText(in: node)
        var values: [XMLRPCValue] = []
        for param in node.children {
            guard param.name == "param" else { throw XMLSyntaxError(reason: "unexpected <\(param.name)> in <params>") }
            values.append(try value(try onlyChild(of: param, named: "value")))
        }
        return values
    }

    func onlyChild(of node: XMLElementNode, named name: String? = nil) throws(XMLSyntaxError) -> XMLElementNode {
        try requireNoText(in: node)
        guard node.children.count == 1 else {
            throw XMLSyntaxError(reason: "<\(node.name)> must hold exactly one element, not \(node.children.count)")
        }
        let child = node.children[0]
        if let name, child.name != name { throw XMLSyntaxError(reason: "<\(node.name)> holds <\(child.name)>, not <\(name)>") }
        return child
    }

    func requireNoText(in node: XMLElementNode) throws(XMLSyntaxError) {
        guard node.hasOnlyWhitespaceText else { throw XMLSyntaxError(reason: "unexpected text in <\(node.name)>") }
    }
}
