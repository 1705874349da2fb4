import Hummingbird

/// Sends `/proxy/…` to the proxy and everything else to the router (API, `/cgi-bin`, web panel).
/// The proxy bypasses the router so that no middleware or route matching sits on the forwarding path.
struct RootResponder: HTTPResponder {
    typealias Context = AppRequestContext
    let proxy: ProxyHandler
    let api: RouterResponder<AppRequestContext>

    func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        if Self.isProxyPath(request.head.path ?? "") {
            return await proxy.handle(request, context: context)
        }
        return try await api.respond(to: request, context: context)
    }

    /// Whether a request to `path` (the raw request target) goes to the proxy.
    static func isProxyPath(_ path: String) -> Bool {
        path.hasPrefix("/proxy/") || path == "/proxy" || path.hasPrefix("/proxy?")
    }
}
