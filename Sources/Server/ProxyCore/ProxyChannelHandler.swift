import Analysis
import Foundation
import HTTPTypes
import LLMTraceModel
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Forwards `/proxy/` requests from inside the client connection's pipeline: the request's parts go
/// straight to an upstream connection of the same event loop and the answer's parts straight back,
/// each side read only as fast as the other side takes it, while a ``CaptureSession`` records the
/// exchange from the same buffers. Everything else (the API, the panel, proxy requests this path does
/// not handle yet) goes on to Hummingbird.
///
/// One exchange at a time: parts of a request pipelined behind a forwarded one wait until its answer ended.
final class ProxyChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let core: ProxyCore
    /// Set on the handler behind a decrypted CONNECT: every request goes to this host.
    let forwardTarget: ForwardTarget?
    private(set) var context: ChannelHandlerContext?
    /// A CONNECT was read: what follows its head is not HTTP for this pipeline.
    var connecting = false
    /// Requests passed on to Hummingbird whose response has not ended.
    private var passedResponses = 0
    /// The body of a request whose exchange already ended is read and dropped.
    var droppingBody = false
    private var exchange: ProxyExchange?
    /// Parts that arrived while an exchange was in flight.
    var queued: [HTTPRequestPart] = []
    /// A forward-proxy request's upstream is being looked up: its parts wait.
    var resolving = false
    /// A read the pipeline asked for while the upstream could take no more of the request.
    private var heldRead = false
    private var holdingReads = false
    /// The server is stopping: the connection closes once the exchange in flight ended.
    private var quiescing = false
    /// The client closed its side after its request: Hummingbird learns it once the exchange ended.
    private var inputClosed = false

    init(core: ProxyCore, forwardTarget: ForwardTarget? = nil) {
        self.core = core
        self.forwardTarget = forwardTarget
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The forward proxy needs each CONNECT's target as the client wrote it (see ForwardTargetMarker).
        if forwardTarget == nil, core.forward != nil, let codec = try? context.pipeline.syncOperations.handler(type: HTTP1ToHTTPServerCodec.self) {
            try? context.pipeline.syncOperations.addHandler(ForwardTargetMarker(), position: .before(codec))
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        dispatch(unwrapInboundIn(data), context: context)
    }

    /// A part goes to the exchange whose request it belongs to, waits behind the exchange in flight, or is routed.
    func dispatch(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        if let exchange, !exchange.requestEnded {
            exchange.requestPart(part)
            return
        }
        if exchange != nil || resolving || !queued.isEmpty {
            // Nothing more is read until the exchange ended (a client cannot pipeline without bound).
            queued.append(part)
            return
        }
        route(part, context: context)
    }

    private func route(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        if connecting { return }
        // The forward proxy's requests: inside a decrypted tunnel every one; on the server's own
        // connection a CONNECT or an absolute-form request, unless Hummingbird is answering one already.
        let forwards = core.forward != nil && passedResponses == 0
        switch part {
        case .head(let head) where forwardTarget != nil:
            if let forwardTarget { forward(head, to: forwardTarget, context: context) }
        case .head(let head) where forwards && head.method == .connect:
            connecting = true
            connect(head, context: context)
        case .head(let head) where forwards && head.headerFields[Self.absoluteURIField] != nil:
            forwardPlain(head, context: context)
        case .head(let head):
            if passedResponses == 0, let target = head.path, RootResponder.isProxyPath(target),
                let start = handles(head, target: target, context: context)
            {
                begin(start, context: context)
                return
            }
            passedResponses += 1
            context.fireChannelRead(wrapInboundOut(part))
        case .body, .end:
            if droppingBody {
                if case .end = part { droppingBody = false }
                return
            }
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    func begin(_ start: ProxyExchange.Start, context: ChannelHandlerContext) {
        let exchange = ProxyExchange(start: start, handler: self, eventLoop: context.eventLoop)
        self.exchange = exchange
        exchange.begin()
    }

    /// What the exchange for `head` starts from, when this path handles it: a route that parses, in
    /// local mode, from a client that is not a trusted reverse proxy, to an upstream the policy admits
    /// without a name lookup. `nil` leaves the request to the ``ProxyHandler``.
    private func handles(_ head: HTTPRequest, target: String, context: ChannelHandlerContext) -> ProxyExchange.Start? {
        let proxy = core.proxy
        guard proxy.gate == nil, core.trustedProxies.isEmpty, let pool = core.pools.pool(for: context.eventLoop),
            let parsed = try? ProxyRoute.parse(target),
            // A session header that is not a session id is refused by the ProxyHandler.
            case .success(let route) = ProxyHandler.withNamedSession(parsed, head.headerFields),
            case .connect(_, let pinnedHost) = proxy.upstreams.admitAtOnce(route)
        else { return nil }
        return ProxyExchange.Start(
            head: head,
            route: route,
            key: UpstreamKey(tls: route.scheme == "https", host: route.host, port: route.connectPort),
            hostHeader: pinnedHost ?? route.authority,
            origin: Self.origin(of: context),
            pool: pool,
            proxy: proxy
        )
    }

    /// The client's address, for the log.
    static func origin(of context: ChannelHandlerContext) -> String {
        context.channel.remoteAddress.flatMap { IPAddress($0) }?.description ?? "the unix socket"
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange?.clientClosed()
        exchange = nil
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.clientWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Hummingbird would close the connection at once: it does not know an exchange is in flight.
        if event is ChannelShouldQuiesceEvent, exchange != nil {
            quiescing = true
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed, exchange != nil || !queued.isEmpty {
            inputClosed = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedResponses -= 1 }
        context.write(data, promise: promise)
    }

    func read(context: ChannelHandlerContext) {
        if holdingReads || !queued.isEmpty {
            heldRead = true
        } else {
            context.read()
        }
    }

    // MARK: Called by the exchange

    /// Stops reading the client's request (the upstream cannot take more yet), or reads again.
    func holdReads(_ hold: Bool) {
        holdingReads = hold
        if !hold, heldRead, queued.isEmpty, let context {
            heldRead = false
            context.read()
        }
    }

    /// Writes a part of the answer to the client.
    func writeToClient(_ part: HTTPResponsePart, flush: Bool) {
        guard let context else { return }
        context.write(wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }

    /// Answers the request being read with `error`'s JSON body.
    func answer(_ error: APIError) {
        let bytes = (try? AppRequestContext.encoder.encode(ErrorBody(type: error.type, message: error.message))) ?? Data()
        var fields = error.headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(bytes.count)
        writeToClient(.head(HTTPResponse(status: error.status, headerFields: fields)), flush: false)
        writeToClient(.body(ByteBuffer(bytes: bytes)), flush: false)
        writeToClient(.end(nil), flush: true)
    }

    func flushClient() {
        context?.flush()
    }

    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    /// The exchange ended. `close` closes the client connection (the answer was cut off, or the client
    /// asked for it); otherwise the parts that waited are read now.
    func exchangeEnded(close: Bool, requestEnded: Bool) {
        exchange = nil
        guard let context else { return }
        if close || quiescing {
            context.close(promise: nil)
            return
        }
        if !requestEnded { droppingBody = true }
        let waiting = queued
        queued = []
        for part in waiting { dispatch(part, context: context) }
        // Hummingbird's inbound stream hands on what it was given at the end of a read.
        if !waiting.isEmpty { context.fireChannelReadComplete() }
        if exchange == nil, inputClosed {
            inputClosed = false
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        holdReads(false)
    }
}
