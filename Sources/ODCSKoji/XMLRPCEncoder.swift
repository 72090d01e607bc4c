import Foundation

/// Writes XML-RPC documents the way Koji's `xmlrpcplus` marshaller does: `<nil/>` for nil
/// (Koji allows none), `<i8>` for ints outside the Int32 range and `<int>` otherwise,
/// strings in explicit `<string>` elements.
///
/// ```swift
/// let body = XMLRPCEncoder().encodeCall(
///     method: "listTaggedRPMS", arguments: [.string("f42")], keywordArguments: [("latest", .bool(true))])
/// ```
public struct XMLRPCEncoder: Sendable {
    public init() {}

    static let prolog = "<?xml version=\"1.0\"?>\n"

    /// A `<methodCall>`; keyword arguments become a final struct param with `__starstar: true`.
    public func encodeCall(
        method: String, arguments: [XMLRPCValue], keywordArguments: [(String, XMLRPCValue)] = []
    ) -> String {
        encode(XMLRPCCall(methodName: method, arguments: arguments, keywordArguments: keywordArguments))
    }

    public func encode(_ call: XMLRPCCall) -> String {
        var out = Self.prolog + "<methodCall>\n<methodName>" + Self.escape(call.methodName) + "</methodName>\n"
        out += "<params>\n"
        for param in call.params {
            out += "<param>\n"
            write(param, to: &out)
            out += "</param>\n"
        }
        return out + "</params>\n</methodCall>\n"
    }

    /// A `<methodResponse>` holding `response`'s value or fault (what a hub sends).
    public func encode(_ response: XMLRPCResponse) -> String {
        var out = Self.prolog + "<methodResponse>\n"
        switch response {
        case .value(let value):
            out += "<params>\n<param>\n"
            write(value, to: &out)
            out += "</param>\n</params>\n"
        case .fault(let code, let message):
            out += "<fault>\n"
            write(Self.faultStruct(code: code, message: message), to: &out)
            out += "</fault>\n"
        }
        return out + "</methodResponse>\n"
    }

    static func faultStruct(code: Int, message: String) -> XMLRPCValue {
        .struct([("faultCode", .int(Int64(code))), ("faultString", .string(message))])
    }

    func write(_ value: XMLRPCValue, to out: inout String) {
        out += "<value>"
        switch value {
        case .nil:
            out += "<nil/>"
        case .bool(let flag):
            out += flag ? "<boolean>1</boolean>" : "<boolean>0</boolean>"
        case .int(let number):
            let tag = Int64(Int32.min)...Int64(Int32.max) ~= number ? "int" : "i8"
            out += "<\(tag)>\(number)</\(tag)>"
        case .double(let number):
            out += "<double>\(number)</double>"
        case .string(let text):
            out += "<string>" + Self.escape(text) + "</string>"
        case .dateTime(let text):
            out += "<dateTime.iso8601>" + Self.escape(text) + "</dateTime.iso8601>"
        case .base64(let data):
            out += "<base64>" + data.base64EncodedString() + "</base64>"
        case .array(let elements):
            out += "<array><data>\n"
            for element in elements { write(element, to: &out) }
            out += "</data></array>"
        case .struct(let members):
            out += "<struct>\n"
            for (name, member) in members {
                out += "<member>\n<name>" + Self.escape(name) + "</name>\n"
                write(member, to: &out)
                out += "</member>\n"
            }
            out += "</struct>"
        }
        out += "</value>\n"
    }

    /// Escapes the three characters XML reserves, and carriage returns, which a parser would
    /// otherwise normalise to line feeds.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
