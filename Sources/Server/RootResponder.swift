import Hummingbird

/// Sends `/proxy/…` to the proxy and everything else to the router (API, `/cgi-bin`, web panel).
/// The proxy bypasses the router so that no middleware or route matching sits on the forwarding path.
///
/// Before either sees the request, the context's client is settled: the peer, or, when the peer is one
/// of `trustedProxies`, the client its forwarding headers name (``ForwardedClient``).
struct RootResponder: HTTPResponder {
    typealias Context = AppRequestContext
    let proxy: ProxyHandler
    let api: RouterResponder<AppRequestContext>
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` headers name the client (`--trusted-proxy`).
    var trustedProxies: [IPNetwork] = []

    func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        var context = context
        if !trustedProxies.isEmpty, let peer = context.peerAddress, ForwardedClient.isTrusted(peer, trustedProxies) {
            context.client = ForwardedClient(peer: peer, trustedProxies: trustedProxies, headers: request.headers)
            context.fromTrustedProxy = true
        }
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
