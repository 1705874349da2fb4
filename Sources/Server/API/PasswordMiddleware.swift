import Foundation
import Hummingbird

/// Requires the server password on every route behind it: `Authorization: Bearer <password>` or HTTP
/// Basic with any user name. Answers 401 JSON otherwise.
struct PasswordMiddleware<Context: RequestContext>: RouterMiddleware {
    let password: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], accepts(header) else {
            return ErrorBody.response(
                .unauthorized, type: "unauthorized",
                message: "this llmtrace server needs its password: send 'Authorization: Bearer <password>' or HTTP Basic auth",
                headers: [.wwwAuthenticate: #"Basic realm="llmtrace", charset="UTF-8""#])
        }
        return try await next(request, context)
    }

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
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
