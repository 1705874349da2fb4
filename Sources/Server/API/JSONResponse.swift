import Hummingbird
import LLMTraceModel

/// JSON responses with llmtrace's encoder settings.
enum JSONResponse {
    private static let encoder = JSONCoding.makeEncoder()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
