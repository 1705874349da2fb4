import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

extension LLMTraceServer {
    /// The router for everything but the proxy: the JSON API under `/api` and the seed product's routes
    /// under `/cgi-bin`, each a router group that carries the password check when there is a password,
    /// and the web panel's files from `webRoot`, public.
    ///
    /// The file middleware is added after the API routes, so it wraps only requests no route matched:
    /// an API 404 (`/api/requests/{unknown id}`) is never answered from the file system.
    static func buildRouter(api: APIController, password: String?, webRoot: String?, logger: Logger) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        api.addAPIRoutes(to: guarded(router.group("api"), password: password))
        api.addCGIRoutes(to: guarded(router.group("cgi-bin"), password: password))
        if let webRoot {
            router.add(middleware: FileMiddleware(webRoot, searchForIndexHtml: true, logger: logger))
        }
        return router
    }

    /// `group` with the password check, when there is a password. Paths under the group that no route
    /// has still need the password before they get their 404, so a caller without it learns nothing,
    /// as when the whole `/api/` prefix was guarded.
    private static func guarded(_ group: RouterGroup<AppRequestContext>, password: String?) -> RouterGroup<AppRequestContext> {
        guard let password else { return group }
        group.add(middleware: PasswordMiddleware(password: password))
        for method: HTTPRequest.Method in [.get, .post, .put, .patch, .delete] {
            group.on("**", method: method) { _, _ -> Response in throw HTTPError(.notFound) }
        }
        return group
    }

    /// An HTTP/1 application serving `responder` at `address`, with `Expect: 100-continue` answered in
    /// the channel pipeline. The TCP listener and the unix socket are two of these over one responder.
    static func buildApplication(
        responder: RootResponder,
        address: BindAddress,
        logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> Application<RootResponder> {
        Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
            configuration: .init(address: address, serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
