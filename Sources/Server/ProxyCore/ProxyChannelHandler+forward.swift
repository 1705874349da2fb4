import Analysis
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOPosix
import NIOSSL

/// The host a decrypted CONNECT reaches: every request read inside the tunnel goes there.
struct ForwardTarget {
    var host: String
    var port: Int
    /// The address the policy admitted, connected to by IP (the name is only for SNI and the certificate).
    var address: IPAddress
    /// The env the CONNECT named (its proxy user name), else `nil` for `--forward-env`.
    var env: String?
}

extension ProxyChannelHandler {
    /// Serves `CONNECT host:port`: a host on the capture list has its TLS ended here with a certificate
    /// from llmtrace's CA and its requests forwarded and recorded like `/proxy/` ones; any other host is
    /// tunnelled byte for byte. Refusals and failures are answered before the tunnel opens.
    func connect(_ head: HTTPRequest, context: ChannelHandlerContext) {
        guard let forward = core.forward else { return }
        guard let authority = head.headerFields[Self.connectTargetField], let (host, port) = Self.hostAndPort(authority) else {
            return refuse(.badRequest, "bad_request", "CONNECT needs a host and a port, as in CONNECT api.openai.com:443")
        }
        if let password = forward.password, !Self.authorized(head, password: password) {
            return refuse(
                .proxyAuthenticationRequired,
                "proxy_auth_required",
                "this llmtrace has a password: give it as the proxy's, as in HTTPS_PROXY=http://llmtrace:PASSWORD@host:port",
                headers: [.proxyAuthenticate: #"Basic realm="llmtrace""#]
            )
        }
        let target = "\(host):\(port)"
        upstreamAddress(host, target: target, forward: forward, loop: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            guard let context = self.context else { return }
            switch result {
            case .failure(let error):
                let refusal = error as? APIError ?? APIError(status: .badGateway, type: "upstream_unreachable", message: "\(error)")
                refuse(refusal.status, refusal.type, refusal.message)
            case .success(let address) where forward.settings.captures(host):
                decrypt(ForwardTarget(host: host, port: port, address: address, env: Self.proxyEnv(head)), forward: forward, context: context)
            case .success(let address):
                tunnel(to: address, port: port, target: target, forward: forward, context: context)
            }
        }
    }

    /// The address the forward proxy connects to for `host`: looked up with the upstream gate's resolver
    /// (an IP literal is its own), the first one, checked against `--allow-private` and the upstream policy
    /// before any connection.
    private func upstreamAddress(_ host: String, target: String, forward: ForwardProxy, loop: any EventLoop) -> EventLoopFuture<IPAddress> {
        let resolver = core.proxy.upstreams.resolver
        let policy = core.proxy.upstreams.policy
        let resolved: EventLoopFuture<[IPAddress]> =
            if let literal = IPAddress(hostSpelling: host) {
                loop.makeSucceededFuture([literal])
            } else {
                loop.makeFutureWithTask { try await resolver.addresses(of: host) }
            }
        return resolved.flatMapErrorThrowing { error in
            throw APIError(status: .badGateway, type: "upstream_unreachable", message: "cannot reach \(target): \(error)")
        }.flatMapThrowing { addresses in
            guard let first = addresses.first else {
                throw APIError(status: .badGateway, type: "upstream_unreachable", message: "cannot reach \(target): its name resolves to no address")
            }
            if let refusal = forward.settings.refusal(of: first, target: target) ?? policy.refusalAtConnect(first) {
                throw APIError(status: .forbidden, type: "upstream_refused", message: refusal)
            }
            return first
        }
    }

    /// A plain-HTTP request in absolute form (`GET http://host/path`, as clients send through `HTTP_PROXY`):
    /// forwarded to that host, and recorded when the host is on the capture list. Its later parts wait
    /// while the host is looked up.
    func forwardPlain(_ head: HTTPRequest, context: ChannelHandlerContext) {
        guard let forward = core.forward, let pool = core.pools.pool(for: context.eventLoop) else { return }
        var head = head
        let uri = head.headerFields[Self.absoluteURIField] ?? ""
        head.headerFields[Self.absoluteURIField] = nil
        guard let url = URLComponents(string: uri), let host = url.host, !host.isEmpty, url.port.map({ (1...65535).contains($0) }) ?? true else {
            return refusePlain(APIError(status: .badRequest, type: "bad_request", message: "cannot read the request's URL '\(uri)'"))
        }
        if let password = forward.password, !Self.authorized(head, password: password) {
            return refusePlain(
                APIError(
                    status: .proxyAuthenticationRequired,
                    type: "proxy_auth_required",
                    message: "this llmtrace has a password: give it as the proxy's, as in HTTP_PROXY=http://llmtrace:PASSWORD@host:port",
                    headers: [.proxyAuthenticate: #"Basic realm="llmtrace""#]
                )
            )
        }
        let port = url.port ?? 80
        let env = head.headerFields[ForwardProxySettings.envHeader].flatMap { $0.isEmpty ? nil : $0 } ?? Self.proxyEnv(head) ?? forward.settings.env
        head.headerFields[ForwardProxySettings.envHeader] = nil
        let route = ProxyRoute(
            env: env,
            scheme: "http",
            host: host,
            port: port == 80 ? nil : port,
            path: url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath,
            query: url.percentEncodedQuery
        )
        resolving = true
        upstreamAddress(host, target: "\(host):\(port)", forward: forward, loop: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            resolving = false
            guard let context = self.context else { return }
            switch result {
            case .failure(let error):
                refusePlain(error as? APIError ?? APIError(status: .badGateway, type: "upstream_unreachable", message: "\(error)"))
            case .success(let address):
                var start = ProxyExchange.Start(
                    head: head,
                    route: route,
                    key: UpstreamKey(tls: false, host: address.description, port: port, serverName: nil),
                    hostHeader: head.authority ?? route.authority,
                    origin: context.channel.remoteAddress.flatMap { IPAddress($0) }?.description ?? "the unix socket",
                    pool: pool,
                    proxy: core.proxy
                )
                start.recorded = forward.settings.captures(host)
                begin(start, context: context)
                // What arrived while the host was looked up goes on now.
                let waiting = queued
                queued = []
                for part in waiting { dispatch(part, context: context) }
            }
        }
    }

    /// Answers a plain-HTTP forward request with an error and closes the connection (its body may still be coming).
    private func refusePlain(_ error: APIError) {
        core.proxy.logger.notice("forward proxy refused a request: \(error.message)")
        var error = error
        error.headers[.connection] = "close"
        answer(error)
        context?.close(promise: nil)
    }

    /// Ends the client's TLS here with a certificate for the target and reads its requests.
    private func decrypt(_ target: ForwardTarget, forward: ForwardProxy, context: ChannelHandlerContext) {
        let tls: NIOSSLContext
        do {
            tls = try forward.certificateAuthority().serverContext(for: target.host)
        } catch {
            return refuse(.internalServerError, "ca_unavailable", "\(error)")
        }
        do {
            let front = try insertFront(
                [
                    ConnectAnswerHandler(), NIOSSLServerHandler(context: tls), ClientTLSFailureHandler(target: target, core: core),
                    ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)), HTTPResponseEncoder(),
                    HTTP1ToHTTPServerCodec(secure: true), ProxyChannelHandler(core: core, forwardTarget: target),
                ],
                context: context
            )
            (front as? ConnectAnswerHandler)?.send()
        } catch {
            context.close(promise: nil)
        }
    }

    /// Joins the client to `address` byte for byte.
    private func tunnel(to address: IPAddress, port: Int, target: String, forward: ForwardProxy, context: ChannelHandlerContext) {
        let clientSide = TunnelHandler()
        // Made and used on this event loop, which the upstream connection shares.
        let upstreamSide = NIOLoopBound(TunnelHandler(), eventLoop: context.eventLoop)
        let socketAddress: SocketAddress
        do { socketAddress = try SocketAddress(ipAddress: address.description, port: port) } catch {
            return refuse(.badGateway, "upstream_unreachable", "cannot reach \(target): \(error)")
        }
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(core.pools.pool(for: context.eventLoop)?.connectTimeout ?? .seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(upstreamSide.value) }
            }
            .connect(to: socketAddress)
            .assumeIsolated()
            .whenComplete { [self] result in
                guard let context = self.context else {
                    if case .success(let channel) = result { channel.close(promise: nil) }
                    return
                }
                switch result {
                case .failure(let error):
                    refuse(.badGateway, "upstream_unreachable", "cannot reach \(target): \(ProxyHandler.describe(error))")
                case .success(let channel):
                    do {
                        let front = try insertFront([ConnectAnswerHandler(), clientSide], context: context)
                        TunnelHandler.join(clientSide, upstreamSide.value)
                        forward.countTunnel()
                        (front as? ConnectAnswerHandler)?.send()
                    } catch {
                        channel.close(promise: nil)
                        context.close(promise: nil)
                    }
                }
            }
    }

    /// Puts `handlers` in front of the connection's HTTP codec (its response encoder comes first; after
    /// llmtrace's own TLS when it serves HTTPS), in order, so the bytes after the CONNECT head reach them
    /// and nothing behind them, and what they write reaches the socket without the codec; returns the first.
    private func insertFront(_ handlers: [any ChannelHandler], context: ChannelHandlerContext) throws -> (any ChannelHandler)? {
        let pipeline = context.pipeline.syncOperations
        let encoder = try pipeline.handler(type: HTTPResponseEncoder.self)
        for handler in handlers { try pipeline.addHandler(handler, position: .before(encoder)) }
        return handlers.first
    }

    /// Answers the CONNECT with an error and closes the connection (the HTTP decoder reads nothing after
    /// a CONNECT head, and its encoder would not frame a body for one, so the answer is written as bytes).
    private func refuse(_ status: HTTPResponse.Status, _ type: String, _ message: String, headers: HTTPFields = [:]) {
        core.proxy.logger.notice("CONNECT refused: \(message)")
        guard let context else { return }
        let body = (try? AppRequestContext.encoder.encode(ErrorBody(type: type, message: message))) ?? Data()
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for field in headers { head += "\(field.name): \(field.value)\r\n" }
        head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var bytes = ByteBuffer(string: head)
        bytes.writeBytes(body)
        do {
            let front = ConnectAnswerHandler(bytes)
            _ = try insertFront([front], context: context)
            front.send(closing: true)
        } catch {
            context.close(promise: nil)
        }
    }

    static let connectTargetField = HTTPField.Name(ForwardTargetMarker.connectHeader)!
    static let absoluteURIField = HTTPField.Name(ForwardTargetMarker.absoluteHeader)!

    /// `host:port` of a CONNECT (brackets around an IPv6 address dropped).
    static func hostAndPort(_ authority: String) -> (String, Int)? {
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(authority[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == "/" || $0 == "@" || $0.isWhitespace }) else { return nil }
        return (host, port)
    }

    /// Whether the CONNECT carries `Proxy-Authorization: Basic` with the password (any user name).
    static func authorized(_ head: HTTPRequest, password: String) -> Bool {
        guard let (_, given) = proxyCredentials(head) else { return false }
        return PasswordMiddleware<AppRequestContext>.constantTimeEqual(given, password)
    }

    /// The user name and password of `Proxy-Authorization: Basic`, if given.
    static func proxyCredentials(_ head: HTTPRequest) -> (user: String, password: String)? {
        guard let value = head.headerFields[.proxyAuthorization], value.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(value.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// The env a CONNECT names as its proxy user name (`HTTPS_PROXY=http://ENV@127.0.0.1:8080`), if a valid one.
    static func proxyEnv(_ head: HTTPRequest) -> String? {
        guard let user = proxyCredentials(head)?.user.removingPercentEncoding, !user.isEmpty, user.count <= 64,
            user.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else { return nil }
        return user
    }

    /// A request read inside a decrypted tunnel: forwarded to the tunnel's host and recorded.
    func forward(_ head: HTTPRequest, to target: ForwardTarget, context: ChannelHandlerContext) {
        guard let forward = core.forward, let pool = core.pools.pool(for: context.eventLoop) else { return }
        var head = head
        let env = head.headerFields[ForwardProxySettings.envHeader].flatMap { $0.isEmpty ? nil : $0 } ?? target.env ?? forward.settings.env
        head.headerFields[ForwardProxySettings.envHeader] = nil
        let path = head.path ?? "/"
        let query = path.firstIndex(of: "?").map { String(path[path.index(after: $0)...]) }
        let route = ProxyRoute(
            env: env,
            scheme: "https",
            host: target.host,
            port: target.port == 443 ? nil : target.port,
            path: query == nil ? path : String(path[..<(path.firstIndex(of: "?") ?? path.endIndex)]),
            query: query
        )
        let start = ProxyExchange.Start(
            head: head,
            route: route,
            // The name goes in SNI and is what the certificate must hold; an address is checked as connected to.
            key: UpstreamKey(
                tls: true,
                host: target.address.description,
                port: target.port,
                serverName: IPAddress(hostSpelling: target.host) == nil ? target.host : nil
            ),
            hostHeader: head.authority ?? route.authority,
            origin: context.channel.remoteAddress.flatMap { IPAddress($0) }?.description ?? "the unix socket",
            pool: pool,
            proxy: core.proxy
        )
        begin(start, context: context)
    }
}

/// Answers a CONNECT from in front of the HTTP codec (which must not frame it): `200 Connection
/// Established`, after which bytes pass through, or a refusal, after which the connection closes.
final class ConnectAnswerHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    private var context: ChannelHandlerContext?
    private let answer: ByteBuffer

    init(_ answer: ByteBuffer = ByteBuffer(string: "HTTP/1.1 200 Connection Established\r\n\r\n")) {
        self.answer = answer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Writes the answer, then steps aside (or closes the connection once it is written).
    func send(closing: Bool = false) {
        guard let context else { return }
        if closing {
            context.writeAndFlush(NIOAny(answer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.writeAndFlush(NIOAny(answer), promise: nil)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
