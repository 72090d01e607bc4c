import Foundation
import Testing

@testable import ODCSKoji

@Suite struct XMLRPCDecoderTests {
    let decoder = XMLRPCDecoder()

    @Test func decodesGetBuildWithNilFields() throws {
        let body = """
            <?xml version='1.0'?>
            <methodResponse>
            <params>
            <param>
            <value><struct>
            <member>
            <name>build_id</name>
            <value><int>2</int></value>
            </member>
            <member>
            <name>epoch</name>
            <value><nil/></value>
            </member>
            <member>
            <name>nvr</name>
            <value><string>foo-1.0-1</string></value>
            </member>
            <member>
            <name>completion_ts</name>
            <value><double>1751632496.5</double></value>
            </member>
            <member>
            <name>volume_name</name>
            <value>DEFAULT</value>
            </member>
            <member>
            <name>extra</name>
            <value><nil/></value>
            </member>
            <member>
            <name>size</name>
            <value><i8>5000000000</i8></value>
            </member>
            </struct></value>
            </param>
            </params>
            </methodResponse>
            """
        let build = try decoder.decodeResponse(body).get()
        #expect(build["build_id"] == .int(2))
        #expect(build["epoch"]?.isNil == true)
        #expect(build["nvr"]?.stringValue == "foo-1.0-1")
        #expect(build["completion_ts"]?.doubleValue == 1_751_632_496.5)
        #expect(build["volume_name"]?.stringValue == "DEFAULT")
        #expect(build["extra"] == .nil)
        #expect(build["size"]?.intValue == 5_000_000_000)
        #expect(build.structMembers?.map(\.0) == ["build_id", "epoch", "nvr", "completion_ts", "volume_name", "extra", "size"])
    }

    @Test func decodesListTaggedRPMSAsRPMsAndBuilds() throws {
        let body = """
            <?xml version='1.0'?>
            <methodResponse><params><param><value><array><data>
            <value><array><data>
              <value><struct>
                <member><name>arch</name><value><string>x86_64</string></value></member>
                <member><name>build_id</name><value><int>2</int></value></member>
                <member><name>name</name><value><string>foo</string></value></member>
                <member><name>epoch</name><value><nil/></value></member>
              </struct></value>
              <value><struct>
                <member><name>arch</name><value><string>src</string></value></member>
                <member><name>build_id</name><value><i4>2</i4></value></member>
                <member><name>name</name><value><string>foo</string></value></member>
                <member><name>epoch</name><value><int>1</int></value></member>
              </struct></value>
            </data></array></value>
            <value><array><data>
              <value><struct>
                <member><name>build_id</name><value><int>2</int></value></member>
                <member><name>nvr</name><value><string>foo-1.0-1</string></value></member>
                <member><name>tag_name</name><value><string>f42</string></value></member>
              </struct></value>
            </data></array></value>
            </data></array></value></param></params></methodResponse>
            """
        let result = try decoder.decodeResponse(body).get()
        let rpms = try #require(result[0]?.arrayValue)
        let builds = try #require(result[1]?.arrayValue)
        #expect(rpms.map { $0["arch"]?.stringValue } == ["x86_64", "src"])
        #expect(rpms.map { $0["build_id"]?.intValue } == [2, 2])
        #expect(rpms[0]["epoch"] == .nil)
        #expect(rpms[1]["epoch"] == .int(1))
        #expect(builds.count == 1)
        #expect(builds[0]["nvr"] == .string("foo-1.0-1"))
    }

    @Test func faultResponseThrowsKojiFault() throws {
        let body = """
            <?xml version='1.0'?>
            <methodResponse>
            <fault>
            <value><struct>
            <member>
            <name>faultCode</name>
            <value><int>1000</int></value>
            </member>
            <member>
            <name>faultString</name>
            <value><string>No such tagInfo: 'nope'</string></value>
            </member>
            </struct></value>
            </fault>
            </methodResponse>
            """
        let response = try decoder.decodeResponse(body)
        #expect(response == .fault(code: 1000, message: "No such tagInfo: 'nope'"))
        #expect(throws: KojiError.fault(code: 1000, message: "No such tagInfo: 'nope'")) { try response.get() }
    }

    @Test func untypedValueIsStringWithWhitespaceKept() throws {
        let body = "<methodResponse><params><param><value>  two  words \n</value></param></params></methodResponse>"
        #expect(try decoder.decodeResponse(body).get() == .string("  two  words \n"))
    }

    @Test func emptyValueAndEmptyStringAreEmptyStrings() throws {
        #expect(
            try decoder.decodeResponse("<methodResponse><params><param><value/></param></params></methodResponse>").get() == .string(""))
        #expect(
            try decoder.decodeResponse("<methodResponse><params><param><value><string/></value></param></params></methodResponse>").get()
                == .string(""))
    }

    @Test func numbersAndBase64ToleratePaddingWhitespace() throws {
        let body = """
            <methodResponse><params><param><value><array><data>
            <value><int> 12 </int></value>
            <value><boolean>
            1
            </boolean></value>
            <value><base64>
            AAEC
            /w==
            </base64></value>
            <value><string> kept </string></value>
            </data></array></value></param></params></methodResponse>
            """
        let values = try #require(try decoder.decodeResponse(body).get().arrayValue)
        #expect(values == [.int(12), .bool(true), .base64(Data([0, 1, 2, 0xFF])), .string(" kept ")])
    }

    @Test func declarationCommentsProcessingInstructionsAndAttributesAreSkipped() throws {
        let body = """
            \u{FEFF}<?xml version='1.0' encoding="UTF-8"?>
            <!-- a comment -->
            <methodResponse xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"><params><param>
            <value><!-- inside --><string attr='x'>a<?pi?>b</string></value></param></params></methodResponse>
            <!-- after -->
            """
        #expect(try decoder.decodeResponse(body).get() == .string("ab"))
    }

    @Test func invalidUTF8IsRejected() {
        var bytes = Array("<methodResponse><params><param><value>".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("</value></param></params></methodResponse>".utf8)
        #expect(throws: KojiError.self) { try decoder.decodeResponse(Data(bytes)) }
    }

    @Test func entitiesAndCDATAAreDecoded() throws {
        let body =
            "<methodResponse><params><param><value><string>&lt;&#233;&amp;&#x1F40E;<![CDATA[<raw>]]></string></value></param></params></methodResponse>"
        #expect(try decoder.decodeResponse(body).get() == .string("<é&🐎<raw>"))
    }

    @Test(arguments: [
        "", "not xml", "<methodResponse><params><param><value><int>1</int></value></param></params>",
        "<methodCall><methodName>x</methodName></methodCall>",
        "<methodResponse></methodResponse>",
        "<methodResponse><params></params></methodResponse>",
        "<methodResponse><params><param><value><int>1.5</int></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><i8>9223372036854775808</i8></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><boolean>true</boolean></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><base64>!!!</base64></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><float2>1</float2></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><int>1</int><int>2</int></value></param></params></methodResponse>",
        "<methodResponse><params><param><value>x<int>1</int></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><struct><member><value><int>1</int></value></member></struct></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><array><value><int>1</int></value></array></value></param></params></methodResponse>",
        "<methodResponse><fault><value><struct></struct></value></fault></methodResponse>",
        "<methodResponse><params><param><value><int>1</int></value></param></params></methodResponse><extra/>",
        "<!DOCTYPE m [<!ENTITY a \"aaaa\">]><methodResponse><params><param><value>&a;</value></param></params></methodResponse>",
        "<methodResponse><params><param><value>&nope;</value></param></params></methodResponse>",
        "<methodResponse><params><param><value>&#xD800;</value></param></params></methodResponse>",
        "<methodResponse><params><param><value><int>1</string></value></param></params></methodResponse>",
        "<methodResponse><params><param><value><int>1</int></value></param></params>",
        "<methodResponse><params><param><value><![CDATA[x</value></param></params></methodResponse>",
        "<methodResponse a=1><params><param><value>1</value></param></params></methodResponse>",
    ])
    func malformedResponsesAreRejected(_ body: String) {
        #expect {
            _ = try decoder.decodeResponse(body)
        } throws: { error in
            guard case .malformedResponse(let reason) = error as? KojiError else { return false }
            return !reason.isEmpty
        }
    }
}
