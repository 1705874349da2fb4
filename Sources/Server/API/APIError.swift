import Hummingbird

/// An answer that is not the one asked for, told in JSON: `{"error":{"type":…,"message":…}}` with its
/// status (and headers, such as `WWW-Authenticate`). Thrown by API handlers and middleware, turned into
/// a response by the router through the context's encoder; the proxy answers its own failures with it too.
struct APIError: HTTPResponseError, Sendable {
    /// The response status.
    var status: HTTPResponse.Status
    /// A stable, machine-readable kind (`invalid_parameter`, `not_found`, `unauthorized`, `invalid_proxy_route`…).
    var type: String
    /// What went wrong, in words a person can act on.
    var message: String
    /// Headers added to the response.
    var headers: HTTPFields

    init(status: HTTPResponse.Status, type: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.type = type
        self.message = message
        self.headers = headers
    }

    /// 400 `invalid_parameter`: `name='value' is not valid: expected …` (the value cut at 100 characters).
    static func invalidParameter(_ name: String, _ value: String, expected: String) -> APIError {
        APIError(status: .badRequest, type: "invalid_parameter", message: "\(name)='\(value.prefix(100))' is not valid: expected \(expected)")
    }

    /// 404 `not_found`.
    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, type: "not_found", message: message)
    }

    /// The error body, encoded by the context's encoder, with this error's status and headers.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(ErrorBody(type: type, message: message), from: request, context: context)
        response.status = status
        response.headers.append(contentsOf: headers)
        return response
    }

    /// ``response(from:context:)`` for callers that must answer something: a body of two strings always
    /// encodes, and if it ever did not, the status alone is still an answer.
    func response(to request: Request, context: some RequestContext) -> Response {
        (try? response(from: request, context: context)) ?? Response(status: status, headers: headers)
    }
}
