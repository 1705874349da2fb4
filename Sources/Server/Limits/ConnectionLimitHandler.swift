import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Holds one client address to a number of open connections (``ClientLimits``): one connection per
/// handler, counted by its TCP peer address.
///
/// A connection counts against its address in a pool (the API, or the proxy route and CONNECT) from its first
/// request in that pool until it closes: the route is only known once a request head arrived, and a
/// connection kept alive for a proxied call is counted for the API too as soon as it carries an API
/// request. A request over the limit is answered 429 `too_many_connections` and the connection closed
/// (after the response in progress, if a client pipelined it). Trusted proxies and unix-socket peers
/// are not counted: many clients share them.
final class ConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ClientLimits
    /// The peer's address, once the connection is counted in a pool.
    private var address: IPAddress?
    /// The pools this connection is counted in.
    private var counted: [ClientConnectionCounter.Pool] = []
    /// Requests whose response has not ended yet.
    private var responsesOpen = 0
    /// Whether the connection was refused: nothing more is read from it.
    private var refused = false
    /// The refusal to send once the response in progress has ended.
    private var pending: ConnectionRefusal?

    init(limits: ClientLimits) {
        self.limits = limits
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseAll()
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        if case .head(let head) = unwrapInboundIn(data) {
            guard admit(head, context: context) else { return }
            responsesOpen += 1
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data) else { return }
        responsesOpen -= 1
        if responsesOpen == 0, let pending {
            self.pending = nil
            pending.send(on: context)
        }
    }

    /// Counts the connection in the pool of `head`'s route if it is not yet; `false` when that is
    /// over the limit and the connection was refused.
    private func admit(_ head: HTTPRequest, context: ChannelHandlerContext) -> Bool {
        // A CONNECT is the forward proxy's: proxied traffic, like the proxy route.
        let proxied = head.method == .connect || RootResponder.isProxyPath(head.path ?? "")
        let pool: ClientConnectionCounter.Pool = proxied ? .proxy : .api
        let limit = limits.connectionLimit(for: pool)
        guard limit > 0, !counted.contains(pool),
            let address = address ?? limits.countedAddress(of: context.channel.remoteAddress)
        else { return true }
        if limits.counter.admit(address, to: pool, limit: limit) {
            self.address = address
            counted.append(pool)
            return true
        }
        refused = true
        let flag = ClientLimits.connectionLimitFlag(for: pool)
        limits.refusedLog.log(
            limits.logger,
            level: .warning,
            "refused a connection from \(address): it has \(limit) connections open to \(pool), the most one address may have (\(flag) \(limit))"
        )
        let refusal = ConnectionRefusal(
            error: APIError(
                status: .tooManyRequests,
                type: "too_many_connections",
                message:
                    "\(address) has \(limit) connections open to \(pool), the most one client address may have (\(flag)); close one and try again"
            )
        )
        if responsesOpen == 0 {
            refusal.send(on: context)
        } else {
            pending = refusal
        }
        return false
    }

    private func releaseAll() {
        guard let address else { return }
        for pool in counted { limits.counter.release(address, from: pool) }
        counted = []
    }
}
