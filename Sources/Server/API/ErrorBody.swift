import Foundation
import Hummingbird
import LLMTraceModel

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
        // Two strings always encode.
        (try? JSONResponse.make(ErrorBody(type: type, message: message), status: status, headers: headers))
            ?? Response(status: .internalServerError)
    }
}
