import Foundation
import Testing

@testable import ODCSKoji

@Suite struct XMLRPCMultiCallTests {
    @Test func encodesCallsAsStructsOfMethodNameAndParams() throws {
        let body = XMLRPCMultiCall.encodeCall([
            XMLRPCCall(methodName: "getBuild", arguments: [.int(2)]),
            XMLRPCCall(methodName: "listTaggedRPMS", arguments: [.string("f42")], keywordArguments: [("latest", .bool(true))]),
        ])
        let call = try XMLRPCDecoder().decodeCall(body)
        #expect(call.methodName == "multiCall")
        #expect(
            call.arguments == [
                .array([
                    .struct([("methodName", .string("getBuild")), ("params", .array([.int(2)]))]),
                    .struct([
                        ("methodName", .string("listTaggedRPMS")),
                        ("params", .array([.string("f42"), .struct([("latest", .bool(true)), ("__starstar", .bool(true))])])),
                    ]),
                ])
            ])
        let calls = try XMLRPCMultiCall.decodeCall(call)
        #expect(calls.map(\.methodName) == ["getBuild", "listTaggedRPMS"])
        #expect(calls[1].arguments == [.string("f42")])
        #expect(XMLRPCValue.struct(calls[1].keywordArguments) == .struct([("latest", .bool(true))]))
    }

    @Test func decodesMixOfResultsAndFaults() throws {
        let body = """
            <?xml version='1.0'?>
            <methodResponse><params><param><value><array><data>
            <value><array><data><value><struct>
              <member><name>id</name><value><int>2</int></value></member>
              <member><name>epoch</name><value><nil/></value></member>
            </struct></value></data></array></value>
            <value><struct>
              <member><name>faultCode</name><value><int>1000</int></value></member>
              <member><name>faultString</name><value><string>No such build: 'nope'</string></value></member>
            </struct></value>
            <value><array><data><value><nil/></value></data></array></value>
            <value><string>neither</string></value>
            </data></array></value></param></params></methodResponse>
            """
        let results = try XMLRPCMultiCall.decodeResponse(body)
        #expect(results.count == 4)
        #expect(try results[0].get() == .struct([("id", .int(2)), ("epoch", .nil)]))
        #expect(throws: KojiError.fault(code: 1000, message: "No such build: 'nope'")) { try results[1].get() }
        #expect(try results[2].get() == .nil)
        guard case .failure(.malformedResponse) = results[3] else {
            Issue.record("expected a malformed entry, got \(results[3])")
            return
        }
    }

    @Test func encodedHubAnswerDecodesToSameResults() throws {
        let body = XMLRPCMultiCall.encodeResponse([.value(.int(1)), .fault(code: 1000, message: "boom"), .value(.array([]))])
        let results = try XMLRPCMultiCall.decodeResponse(body)
        #expect(try results[0].get() == .int(1))
        #expect(throws: KojiError.fault(code: 1000, message: "boom")) { try results[1].get() }
        #expect(try results[2].get() == .array([]))
    }

    @Test func wholeRequestFaultIsThrown() {
        let body = XMLRPCEncoder().encode(.fault(code: 1, message: "denied"))
        #expect(throws: KojiError.fault(code: 1, message: "denied")) { try XMLRPCMultiCall.decodeResponse(body) }
    }

    @Test func nonArrayAnswerIsMalformed() {
        let body = XMLRPCEncoder().encode(.value(.int(3)))
        #expect(throws: KojiError.malformedResponse("a multicall answer must be an array")) {
            try XMLRPCMultiCall.decodeResponse(body)
        }
    }
}
