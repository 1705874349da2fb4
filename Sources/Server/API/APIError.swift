import Hummingbird

/// An API failure the caller can fix: answered as `{"error":{"type":…,"message":…}}` with its status.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var type: String
    var message: String

    static func invalidParameter(_ name: String, _ value: String, expected: String) -> APIError {
        APIError(status: .badRequest, type: "invalid_parameter", message: "\(name)='\(value.prefix(100))' is not valid: expected \(expected)")
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, type: "not_found", message: message)
    }

    var response: Response {
        ErrorBody.response(status, type: type, message: message)
    }
}
