import Hummingbird

/// Guards `/metrics`: a scraper on loopback (or the unix socket) passes when `--metrics-public` is on;
/// anyone else goes through `check` (the API's password or shared mode's access-token check), and in
/// shared mode must be a system administrator, since the metrics hold every team's environments.
struct MetricsAccessMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let check: (any RouterMiddleware<AppRequestContext>)?
    let publicOnLoopback: Bool
    let systemAdminOnly: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The client a trusted reverse proxy names counts, not the proxy's own (loopback) address.
        if publicOnLoopback, context.client.address?.isLoopback ?? true {
            return try await next(request, context)
        }
        guard let check else { return try await next(request, context) }
        return try await check.handle(request, context: context) { request, context in
            if systemAdminOnly, context.identity?.isSystemAdmin != true {
                throw APIError(
                    status: .forbidden,
                    type: "forbidden",
                    message:
                        "/metrics holds every team's figures: it needs a system administrator's access token, or --metrics-public for a scraper on loopback"
                )
            }
            return try await next(request, context)
        }
    }
}
