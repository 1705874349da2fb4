import Foundation
import Hummingbird
import Shared

/// The JSON error bodies the proxy and the API answer with: `{"error":{"type":…,"message":…}}`.
struct ErrorBody: Codable, Sendable {
    struct Inner: Codable, Sendable {
        var type: String
        var message: String
    }

    var error: Inner

    init(type: String, message: String) {
        error = Inner(type: type, message: message)
    }

    /// A response with this body.
    static func response(_ status: HTTPResponse.Status, type: String, message: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = (try? JSONCoding.makeEncoder().encode(ErrorBody(type: type, message: message))) ?? Data(#"{"error":{"type":"internal","message":"encoding failed"}}"#.utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
