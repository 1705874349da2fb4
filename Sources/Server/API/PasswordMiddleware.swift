import Foundation
import Hummingbird

/// Requires the server password on the routes of the router groups it is added to (`/api`, `/cgi-bin`):
/// `Authorization: Bearer <password>`, HTTP Basic with any user name, or a `token=<password>` query
/// parameter (browsers cannot set headers on an `EventSource`). Throws a 401 ``APIError`` otherwise.
/// The web panel's static files are not in those groups and stay public: they hold no data, and the
/// panel's login form must load.
struct PasswordMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The password every guarded request must carry.
    let password: String

    /// The message of the 401 answer.
    static var message: String {
        "this llmtrace server needs its password: send 'Authorization: Bearer <password>' or HTTP Basic auth"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = request.uri.queryParameters.get("token")
        let headerOK = request.headers[.authorization].map(accepts) ?? false
        guard headerOK || token.map({ Self.constantTimeEqual($0, password) }) == true else {
            throw Self.unauthorized(request, tokenSent: token != nil)
        }
        return try await next(request, context)
    }

    /// 401 `unauthorized`. HTTP Basic is invited only from a client that sent no credentials at all: a
    /// browser page (token, Bearer, or an event stream) must see the 401, not the browser's login box.
    static func unauthorized(_ request: Request, tokenSent: Bool) -> APIError {
        let invite =
            request.headers[.authorization] == nil && !tokenSent
            && !(request.headers[.accept]?.contains("text/event-stream") ?? false)
        return APIError(
            status: .unauthorized,
            type: "unauthorized",
            message: message,
            headers: invite ? [.wwwAuthenticate: #"Basic realm="llmtrace", charset="UTF-8""#] : [:]
        )
    }

    /// Whether an `Authorization` header carries the password (Bearer, or Basic with any user name).
    func accepts(_ header: String) -> Bool {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return false }
        switch parts[0].lowercased() {
        case "bearer":
            return Self.constantTimeEqual(String(parts[1]), password)
        case "basic":
            guard let data = Data(base64Encoded: String(parts[1])), let text = String(data: data, encoding: .utf8),
                let colon = text.firstIndex(of: ":")
            else { return false }
            return Self.constantTimeEqual(String(text[text.index(after: colon)...]), password)
        default:
            return false
        }
    }

    /// Compares without stopping at the first difference, so timing does not reveal the password.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
