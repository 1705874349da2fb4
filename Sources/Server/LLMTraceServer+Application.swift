import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

extension LLMTraceServer {
    /// The router for everything but the proxy: the JSON API under `/api` and the seed product's routes
    /// under `/cgi-bin`, each a router group that carries the password check when there is a password,
    /// `/metrics` (Prometheus) behind the same check unless `--metrics-public` opens it to loopback,
    /// and the web panel's files, public: from the directory `webRoot` (`--web-root`), else the copy
    /// embedded in the binary.
    ///
    /// The file middleware is added after the API routes, so it wraps only requests no route matched:
    /// an API 404 (`/api/requests/{unknown id}`) is never answered from the file system.
    static func buildRouter(
        api: APIController,
        password: String?,
        webRoot: String?,
        logger: Logger,
        admin: AdminController? = nil,
        metrics: MetricsEndpoint? = nil
    ) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        if let metrics {
            let check: (any RouterMiddleware<AppRequestContext>)? =
                if let admin { BearerAuthMiddleware(auth: admin.auth) } else { password.map { PasswordMiddleware(password: $0) } }
            metrics.addRoute(to: router, guard: check, shared: admin != nil)
        }
        if let admin {
            // Shared mode: accounts instead of the password; every read needs an access token.
            let bearer = BearerAuthMiddleware(auth: admin.auth)
            api.addAPIRoutes(to: guarded(router.group("api"), middleware: bearer))
            api.addCGIRoutes(to: guarded(router.group("cgi-bin"), middleware: bearer))
            admin.addRoutes(open: router.group("admin"), guarded: guarded(router.group("admin"), middleware: bearer))
        } else {
            api.addAPIRoutes(to: guarded(router.group("api"), password: password))
            api.addCGIRoutes(to: guarded(router.group("cgi-bin"), password: password))
        }
        if let webRoot {
            router.add(middleware: FileMiddleware(webRoot, cacheControl: panelCacheControl, searchForIndexHtml: true, logger: logger))
        } else {
            router.add(
                middleware: FileMiddleware<AppRequestContext, EmbeddedFileProvider>(
                    fileProvider: .panel,
                    cacheControl: panelCacheControl,
                    searchForIndexHtml: true
                )
            )
        }
        return router
    }

    /// The panel's files are revalidated on every load (`no-cache`, answered with a 304 while their
    /// `ETag` holds), so a browser never runs the scripts of an older llmtrace against a newer API.
    private static var panelCacheControl: CacheControl { CacheControl([(MediaType(type: .any), [.noCache])]) }

    /// `group` with the password check, when there is a password. Paths under the group that no route
    /// has still need the password before they get their 404, so a caller without it learns nothing,
    /// as when the whole `/api/` prefix was guarded.
    private static func guarded(_ group: RouterGroup<AppRequestContext>, password: String?) -> RouterGroup<AppRequestContext> {
        guard let password else { return group }
        return guarded(group, middleware: PasswordMiddleware(password: password))
    }

    /// `group` behind `middleware`, with unknown paths under it behind it too.
    private static func guarded(
        _ group: RouterGroup<AppRequestContext>,
        middleware: some RouterMiddleware<AppRequestContext>
    ) -> RouterGroup<AppRequestContext> {
        group.add(middleware: middleware)
        for method: HTTPRequest.Method in [.get, .post, .put, .patch, .delete] {
            group.on("**", method: method) { _, _ -> Response in throw HTTPError(.notFound) }
        }
        return group
    }

    /// An HTTP/1 application serving `responder` at `address`, with `Expect: 100-continue` answered in
    /// the channel pipeline, over TLS with the pair `tls` holds at each connection's start when given.
    /// Each connection is held to `limits` (head size, connections per address, idle timeout); without
    /// them, to Hummingbird's defaults. The TCP listener and the unix socket are two of these over one responder.
    /// With `core`, `/proxy/` requests are forwarded in the channel pipeline (``ProxyChannelHandler``).
    static func buildApplication(
        responder: RootResponder,
        address: BindAddress,
        core: ProxyCore? = nil,
        tls: TLSCertificates? = nil,
        limits: ClientLimits? = nil,
        logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> Application<RootResponder> {
        let secure = tls != nil
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: (limits?.channelHandlers(tls: secure) ?? []) + [ExpectContinueHandler()]
                + (core.map { [ProxyChannelHandler(core: $0)] } ?? []),
            idleTimeout: nil,
            httpDecoderConfiguration: limits?.decoderConfiguration ?? .init()
        )
        return Application(
            responder: responder,
            server: tls.map { .http1(configuration: http1, tls: $0) } ?? .http1(configuration: http1),
            configuration: .init(address: address, serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
