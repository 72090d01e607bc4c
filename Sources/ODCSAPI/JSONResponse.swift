import Hummingbird
import NIOCore

/// A pre-serialised JSON body. Upstream's GET views add a CORS header; the mutating ones do not.
/// Every JSON answer says `nosniff`: a compose's label or reason must never be read as markup.
enum JSONResponse {
    static func make(_ body: String, status: HTTPResponse.Status = .ok, cors: Bool = false) -> Response {
        make(ByteBuffer(string: body), status: status, cors: cors)
    }

    static func make(_ body: ByteBuffer, status: HTTPResponse.Status = .ok, cors: Bool = false) -> Response {
        Response(status: status, headers: headers(cors: cors), body: ResponseBody(byteBuffer: body))
    }

    static func headers(cors: Bool) -> HTTPFields { cors ? corsHeaders : plainHeaders }

    static let plainHeaders: HTTPFields = [.contentType: "application/json", .xContentTypeOptions: "nosniff"]
    static let corsHeaders: HTTPFields = {
        var headers = plainHeaders
        headers[.accessControlAllowOrigin] = "*"
        return headers
    }()
}
