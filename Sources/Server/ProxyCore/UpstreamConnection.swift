import NIOCore
import NIOHTTP1

/// What an upstream connection tells the exchange that holds it, on the connection's event loop.
protocol UpstreamConnectionDelegate: AnyObject {
    /// The final response head (informational 1xx heads are skipped).
    func upstreamHead(_ head: HTTPResponseHead)
    func upstreamBody(_ buffer: ByteBuffer)
    /// The response ended; the connection can be reused when `keepAlive` holds.
    func upstreamEnd(keepAlive: Bool)
    /// The connection failed or closed before the response ended.
    func upstreamFailed(_ error: any Error)
    /// The connection can take more of the request body (or cannot).
    func upstreamWritabilityChanged(_ writable: Bool)
}

/// One HTTP/1.1 connection to an upstream, pooled between exchanges by ``UpstreamPool``.
final class UpstreamConnection {
    let channel: any Channel
    let key: UpstreamKey
    let handler: UpstreamChannelHandler
    /// How many requests it carried: a request that fails on a reused connection before any answer may go again.
    var uses = 0
    /// Closes it when it stays idle in the pool too long.
    var eviction: Scheduled<Void>?

    init(channel: any Channel, key: UpstreamKey, handler: UpstreamChannelHandler) {
        self.channel = channel
        self.key = key
        self.handler = handler
    }
}

/// Where pooled connections can be shared: the same scheme, connect address, port and TLS server name.
struct UpstreamKey: Hashable, Sendable {
    var tls: Bool
    /// The name or IP literal connected to.
    var host: String
    var port: Int
    /// The name the certificate must hold (TLS only).
    var serverName: String?

    init(tls: Bool, host: String, port: Int, serverName: String?) {
        self.tls = tls
        self.host = host
        self.port = port
        self.serverName = serverName
    }

    /// The key for `host` (a name, or an IP literal in any spelling the policy reads) at `port`: connected
    /// to `address` when the policy already decided on one, else to the literal's address or the name
    /// (resolved at connect time). Over TLS a name is sent as SNI and is what the certificate must hold;
    /// an address is checked as connected to.
    init(tls: Bool, host: String, port: Int, address: IPAddress? = nil) {
        let literal = IPAddress(hostSpelling: host)
        self.init(tls: tls, host: (address ?? literal)?.description ?? host, port: port, serverName: tls && literal == nil ? host : nil)
    }
}

/// The last handler of an upstream connection: hands response parts to the exchange holding the
/// connection, and reads from the upstream only while that exchange's client can take more
/// (``holdReads``), so a slow client slows the upstream instead of filling memory.
final class UpstreamChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The exchange the connection serves now; `nil` while it waits in the pool.
    weak var delegate: (any UpstreamConnectionDelegate)?
    /// Called once when the connection closes (the pool forgets it).
    var onClose: (() -> Void)?
    private var context: ChannelHandlerContext?
    private var holding = false
    private var heldRead = false
    /// Inside an informational (1xx) response, whose parts are not the answer.
    private var skippingInformational = false
    private var keepAlive = true
    private(set) var isActive = true

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        isActive = context.channel.isActive
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        isActive = true
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.status.code < 200, head.status != .switchingProtocols {
                skippingInformational = true
                return
            }
            keepAlive = head.isKeepAlive
            delegate?.upstreamHead(head)
        case .body(let buffer):
            if skippingInformational { return }
            delegate?.upstreamBody(buffer)
        case .end:
            if skippingInformational {
                skippingInformational = false
                return
            }
            let delegate = self.delegate
            self.delegate = nil
            delegate?.upstreamEnd(keepAlive: keepAlive)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamFailed(ChannelError.eof)
        onClose?()
        onClose = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamFailed(error)
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if holding {
            heldRead = true
        } else {
            context.read()
        }
    }

    /// Stops reading from the upstream (the client cannot take more), or reads again.
    func holdReads(_ hold: Bool) {
        holding = hold
        if !hold, heldRead, let context {
            heldRead = false
            context.read()
        }
    }

    /// Prepares for the next exchange on a reused connection.
    func reset() {
        keepAlive = true
        skippingInformational = false
        holdReads(false)
    }
}
