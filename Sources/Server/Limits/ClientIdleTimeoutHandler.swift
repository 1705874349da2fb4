import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import NIOTLS

/// Closes a client connection that keeps llmtrace waiting for ``ClientLimits/idleTimeout``: one that
/// sends no complete request head (a new connection, its TLS handshake included), or whose request body
/// stops arriving for that long. This is the slowloris defence: a complete head must arrive in time,
/// however slowly its bytes trickle in. A kept-alive connection between requests waits `keepAlive`
/// instead (``ClientLimits/keepAliveTimeout``: longer than a load balancer's own idle timeout, so a
/// balancer never reuses a connection llmtrace is closing).
///
/// While a response is being written (an event stream, a streamed LLM answer) the connection is never
/// closed for idleness, however long the response runs.
final class ClientIdleTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ClientLimits
    private let timeout: TimeAmount?
    private let keepAlive: TimeAmount?
    /// Whether the connection starts with a TLS handshake.
    private let tls: Bool
    private var handshakeCompleted = false
    /// Request heads received.
    private var requests = 0
    /// Requests whose response has not ended yet.
    private var responsesOpen = 0
    /// Whether a request's body is being received (its head arrived, its end not yet).
    private var readingBody = false
    private var timer: Scheduled<Void>?

    init(limits: ClientLimits, timeout: TimeAmount?, keepAlive: TimeAmount? = nil, tls: Bool) {
        self.limits = limits
        self.timeout = timeout
        self.keepAlive = keepAlive
        self.tls = tls
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { restart(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil { restart(context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { handshakeCompleted = true }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requests += 1
            responsesOpen += 1
            readingBody = true
        case .body:
            break
        case .end:
            readingBody = false
        }
        // Every part received is progress: the wait starts over, or ends while a response is written.
        update(context)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            responsesOpen -= 1
            update(context)
        }
        context.write(data, promise: promise)
    }

    /// Waits afresh while llmtrace waits for the client (a head, or more of a body); not at all while
    /// only a response is in progress.
    private func update(_ context: ChannelHandlerContext) {
        if readingBody || responsesOpen == 0 {
            restart(context)
        } else {
            stop()
        }
    }

    private func restart(_ context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        // Between requests of a kept-alive connection: the keep-alive timeout; else the idle one.
        guard let wait = requests > 0 && !readingBody ? keepAlive : timeout else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: wait) { [self] in
            timer = nil
            expired(context)
        }
    }

    private func stop() {
        timer?.cancel()
        timer = nil
    }

    private func expired(_ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let peer = context.channel.remoteAddress.flatMap(IPAddress.init).map { "\($0)" } ?? "a local client"
        let limit = "\(timeout?.secondsText ?? "") (\(ClientLimits.idleTimeoutFlag))"
        if readingBody {
            limits.idleLog.log(limits.logger, level: .info, "closed a connection from \(peer): its request body stopped arriving for \(limit)")
        } else if requests == 0 {
            let what = tls && !handshakeCompleted ? "did not complete its TLS handshake" : "sent no request"
            limits.idleLog.log(limits.logger, level: .info, "closed a connection from \(peer) that \(what) within \(limit)")
        } else {
            // A kept-alive connection with nothing more to ask: the usual end of one, not worth a line.
            limits.logger.debug(
                "closed an idle kept-alive connection from \(peer) after \(keepAlive?.secondsText ?? "") (\(ClientLimits.keepAliveTimeoutFlag))"
            )
        }
        context.close(promise: nil)
    }
}
