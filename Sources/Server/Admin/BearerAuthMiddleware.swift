import Hummingbird

/// Shared mode's guard: requires `Authorization: Bearer <access token>` (or `token=` in the query, for
/// browsers' `EventSource`) of a live account, and puts the caller's ``AdminIdentity`` in the context.
/// Anything else is 401 `unauthenticated`.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let auth: SharedAuth

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var token = request.uri.queryParameters.get("token")
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { token = String(parts[1]) }
        }
        guard let token, let identity = try await auth.identity(accessToken: token) else {
            throw APIError(
                status: .unauthorized,
                type: "unauthenticated",
                message:
                    "sign in first: POST /admin/login, then send 'Authorization: Bearer <accessToken>' (access tokens last 15 minutes; POST /admin/refresh gives a new one)"
            )
        }
        var context = context
        context.identity = identity
        return try await next(request, context)
    }
}
