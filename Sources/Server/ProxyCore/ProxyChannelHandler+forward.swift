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
            return refuse(
                APIError(status: .badRequest, type: "bad_request", message: "CONNECT needs a host and a port, as in CONNECT api.openai.com:443")
            )
        }
        if let refusal = Self.proxyAuthRefusal(head, forward: forward, variable: "HTTPS_PROXY") { return refuse(refusal) }
        let target = "\(host):\(port)"
        upstreamAddress(host, target: target, forward: forward, loop: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            guard let context = self.context else { return }
            switch result {
            case .failure(let error):
                refuse(Self.refusal(error))
            case .success(let address) where forward.settings.captures(host):
                decrypt(ForwardTarget(host: host, port: port, address: address, env: Self.proxyEnv(head)), forward: forward, context: context)
            case .success(let address):
                tunnel(to: address, port: port, target: target, forward: forward, context: context)
            }
        }
    }

    /// The address the forward proxy connects to for `host`: looked up with the upstream gate's resolver
    /// (an IP literal is its own), the first one, checked against `--allow-private` and the upstream policy
    /// before any connection. Fails with the ``APIError`` to answer.
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
        if let refusal = Self.proxyAuthRefusal(head, forward: forward, variable: "HTTP_PROXY") { return refusePlain(refusal) }
        let port = url.port ?? 80
        let route = ProxyRoute(
            env: Self.takeEnv(from: &head, named: Self.proxyEnv(head), forward: forward),
            scheme: "http",
            host: host,
            port: port == 80 ? nil : port,
            path: url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath,
            query: url.percentEncodedQuery,
            session: Self.namedSession(head)
        )
        resolving = true
        upstreamAddress(host, target: "\(host):\(port)", forward: forward, loop: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            resolving = false
            guard let context = self.context else { return }
            switch result {
            case .failure(let error):
                refusePlain(Self.refusal(error))
            case .success(let address):
                var start = ProxyExchange.Start(
                    head: head,
                    route: route,
                    key: UpstreamKey(tls: false, host: host, port: port, address: address),
                    hostHeader: head.authority ?? route.authority,
                    origin: Self.origin(of: context),
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
            return refuse(APIError(status: .internalServerError, type: "ca_unavailable", message: "\(error)"))
        }
        do {
            let answer = ConnectAnswerHandler()
            try insertFront(
                [
                    answer, NIOSSLServerHandler(context: tls), ClientTLSFailureHandler(target: target, core: core),
                    ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)), HTTPResponseEncoder(),
                    HTTP1ToHTTPServerCodec(secure: true), ProxyChannelHandler(core: core, forwardTarget: target),
                ],
                context: context
            )
            answer.send()
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
            return refuse(APIError(status: .badGateway, type: "upstream_unreachable", message: "cannot reach \(target): \(error)"))
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
                    let message = "cannot reach \(target): \(ProxyHandler.describe(error))"
                    refuse(APIError(status: .badGateway, type: "upstream_unreachable", message: message))
                case .success(let channel):
                    do {
                        let answer = ConnectAnswerHandler()
                        try insertFront([answer, clientSide], context: context)
                        TunnelHandler.join(clientSide, upstreamSide.value)
                        forward.countTunnel()
                        answer.send()
                    } catch {
                        channel.close(promise: nil)
                        context.close(promise: nil)
                    }
                }
            }
    }

    /// Puts `handlers` in front of the connection's HTTP codec (its response encoder comes first; after
    /// llmtrace's own TLS when it serves HTTPS), in order, so the bytes after the CONNECT head reach them
    /// and nothing behind them, and what they write reaches the socket without the codec.
    private func insertFront(_ handlers: [any ChannelHandler], context: ChannelHandlerContext) throws {
        let pipeline = context.pipeline.syncOperations
        let encoder = try pipeline.handler(type: HTTPResponseEncoder.self)
        for handler in handlers { try pipeline.addHandler(handler, position: .before(encoder)) }
    }

    /// Answers the CONNECT with an error and closes the connection (the HTTP decoder reads nothing after
    /// a CONNECT head, and its encoder would not frame a body for one, so the answer is written as bytes).
    private func refuse(_ error: APIError) {
        core.proxy.logger.notice("CONNECT refused: \(error.message)")
        guard let context else { return }
        let body = (try? AppRequestContext.encoder.encode(ErrorBody(type: error.type, message: error.message))) ?? Data()
        var head = "HTTP/1.1 \(error.status.code) \(error.status.reasonPhrase)\r\n"
        for field in error.headers { head += "\(field.name): \(field.value)\r\n" }
        head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var bytes = ByteBuffer(string: head)
        bytes.writeBytes(body)
        do {
            let answer = ConnectAnswerHandler(bytes)
            try insertFront([answer], context: context)
            answer.send(closing: true)
        } catch {
            context.close(promise: nil)
        }
    }

    /// The answer to a failure of ``upstreamAddress(_:target:forward:loop:)``.
    private static func refusal(_ error: any Error) -> APIError {
        error as? APIError ?? APIError(status: .badGateway, type: "upstream_unreachable", message: "\(error)")
    }

    /// The 407 for a forward-proxy request without the password, when llmtrace has one (beyond loopback).
    private static func proxyAuthRefusal(_ head: HTTPRequest, forward: ForwardProxy, variable: String) -> APIError? {
        guard let password = forward.password, !authorized(head, password: password) else { return nil }
        return APIError(
            status: .proxyAuthenticationRequired,
            type: "proxy_auth_required",
            message: "this llmtrace has a password: give it as the proxy's, as in \(variable)=http://llmtrace:PASSWORD@host:port",
            headers: [.proxyAuthenticate: #"Basic realm="llmtrace""#]
        )
    }

    /// The env of a forward-proxy request: its `x-llmtrace-env` header (taken off the request), else the
    /// env its proxy user name gave, else `--forward-env`.
    private static func takeEnv(from head: inout HTTPRequest, named: String?, forward: ForwardProxy) -> String {
        let header = head.headerFields[ForwardProxySettings.envHeader].flatMap { $0.isEmpty ? nil : $0 }
        head.headerFields[ForwardProxySettings.envHeader] = nil
        return header ?? named ?? forward.settings.env
    }

    /// The session a forward-proxy request names in `x-llmtrace-session`; one that is not a session id
    /// is ignored (the request is not this proxy's to refuse).
    private static func namedSession(_ head: HTTPRequest) -> String? {
        (try? ProxyHandler.sessionHeaderValue(head.headerFields)) ?? nil
    }

    static let connectTargetField = HTTPField.Name(ForwardTargetMarker.connectHeader)!
    static let absoluteURIField = HTTPField.Name(ForwardTargetMarker.absoluteHeader)!

    /// `host:port` of a CONNECT, read as a proxy route's authority is (brackets around an IPv6 address
    /// dropped); `nil` without a port.
    static func hostAndPort(_ authority: String) -> (String, Int)? {
        guard let (host, port) = try? ProxyRoute.parseAuthority(Substring(authority)), let port else { return nil }
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
        let requestTarget = (head.path ?? "/").split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let route = ProxyRoute(
            env: Self.takeEnv(from: &head, named: target.env, forward: forward),
            scheme: "https",
            host: target.host,
            port: target.port == 443 ? nil : target.port,
            path: String(requestTarget[0]),
            query: requestTarget.count > 1 ? String(requestTarget[1]) : nil,
            session: Self.namedSession(head)
        )
        let start = ProxyExchange.Start(
            head: head,
            route: route,
            key: UpstreamKey(tls: true, host: target.host, port: target.port, address: target.address),
            hostHeader: head.authority ?? route.authority,
            origin: Self.origin(of: context),
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
