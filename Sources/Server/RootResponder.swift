import HTTPTypes
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
        if request.method == .connect {
            // The channel core serves CONNECT in local mode; a 2xx here would look like an open tunnel. The
            // HTTP/1 encoder frames no body after a CONNECT, so the reason rides in a header too.
            let reason =
                "this llmtrace does not serve CONNECT: the forward proxy runs in local mode on the default proxy core (not in shared mode, nor with LLMTRACE_PROXY_CORE=handler)"
            return Response(
                status: .notImplemented,
                headers: [.connection: "close", Self.errorHeader: "forward_proxy_unavailable: \(reason)"]
            )
        }
        return try await api.respond(to: request, context: context)
    }

    /// Says why a request got no body to say it in (a refused CONNECT).
    static let errorHeader = HTTPField.Name("x-llmtrace-error")!

    /// Whether a request to `path` (the raw request target) goes to the proxy.
    static func isProxyPath(_ path: String) -> Bool {
        path.hasPrefix("/proxy/") || path == "/proxy" || path.hasPrefix("/proxy?")
    }
}
