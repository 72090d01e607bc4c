import Foundation
import Testing

@testable import ODCSKoji

@Suite struct XMLRPCEncoderTests {
    let encoder = XMLRPCEncoder()
    let decoder = XMLRPCDecoder()

    @Test func encodesMethodCallWithParams() {
        let body = encoder.encodeCall(method: "getBuild", arguments: [.string("foo-1.0-1")])
        #expect(body.hasPrefix("<?xml version=\"1.0\"?>\n<methodCall>\n<methodName>getBuild</methodName>\n<params>\n"))
        #expect(body.contains("<param>\n<value><string>foo-1.0-1</string></value>\n</param>"))
        #expect(body.hasSuffix("</params>\n</methodCall>\n"))
    }

    @Test func keywordArgumentsTravelAsStarstarStruct() throws {
        let body = encoder.encodeCall(
            method: "listTaggedRPMS", arguments: [.string("f42")],
            keywordArguments: [("latest", .bool(true)), ("event", .int(1234)), ("inherit", .bool(false))])
        #expect(body.contains("<member>\n<name>__starstar</name>\n<value><boolean>1</boolean></value>\n</member>"))
        let call = try decoder.decodeCall(body)
        #expect(call.methodName == "listTaggedRPMS")
        #expect(call.arguments == [.string("f42")])
        #expect(
            XMLRPCValue.struct(call.keywordArguments)
                == .struct([("latest", .bool(true)), ("event", .int(1234)), ("inherit", .bool(false))]))
    }

    @Test func callWithoutKeywordsHasNoStarstarStruct() throws {
        let body = encoder.encodeCall(method: "getLastEvent", arguments: [])
        #expect(!body.contains("__starstar"))
        #expect(try decoder.decodeCall(body) == XMLRPCCall(methodName: "getLastEvent"))
    }

    @Test func finalStructWithoutStarstarStaysPositional() throws {
        let options: XMLRPCValue = .struct([("state", .int(1))])
        let call = try decoder.decodeCall(encoder.encodeCall(method: "listBuilds", arguments: [options]))
        #expect(call.arguments == [options])
        #expect(call.keywordArguments.isEmpty)
    }

    @Test func decodesCallWrittenByPythonWithIntegerStarstar() throws {
        let body = """
            <?xml version='1.0'?>
            <methodCall>
            <methodName>getTag</methodName>
            <params>
            <param>
            <value><string>f42-build</string></value>
            </param>
            <param>
            <value><struct>
            <member>
            <name>strict</name>
            <value><boolean>1</boolean></value>
            </member>
            <member>
            <name>__starstar</name>
            <value><int>1</int></value>
            </member>
            </struct></value>
            </param>
            </params>
            </methodCall>
            """
        let call = try decoder.decodeCall(body)
        #expect(call == XMLRPCCall(methodName: "getTag", arguments: [.string("f42-build")], keywordArguments: [("strict", .bool(true))]))
    }

    @Test func methodNameIsEscaped() throws {
        let body = encoder.encodeCall(method: "a<&>b", arguments: [])
        #expect(body.contains("<methodName>a&lt;&amp;&gt;b</methodName>"))
        #expect(try decoder.decodeCall(body).methodName == "a<&>b")
    }

    @Test func encodesFaultResponseLikeKojiHub() throws {
        let body = encoder.encode(.fault(code: 1000, message: "No such build: <x>"))
        #expect(body.contains("<fault>\n<value><struct>"))
        #expect(body.contains("<name>faultCode</name>\n<value><int>1000</int></value>"))
        #expect(try decoder.decodeResponse(body) == .fault(code: 1000, message: "No such build: <x>"))
    }

    @Test(arguments: [
        "<methodCall></methodCall>", "<methodCall><methodName></methodName></methodCall>",
        "<methodCall><params/><methodName>x</methodName></methodCall>", "<methodResponse><params/></methodResponse>",
        "<methodCall><methodName>x</methodName><params><param><value><int>x</int></value></param></params></methodCall>",
    ])
    func malformedCallsAreRejected(_ body: String) {
        #expect {
            _ = try decoder.decodeCall(body)
        } throws: { error in
            guard case .malformedCall = error as? KojiError else { return false }
            return true
        }
    }
}
