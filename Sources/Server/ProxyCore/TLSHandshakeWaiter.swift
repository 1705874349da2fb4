import NIOCore
import NIOTLS

/// Completes `handshake` when a new upstream TLS connection's handshake completed, or failed (the
/// certificate refused, the connection closed): the connection is handed to an exchange only then.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let handshake: EventLoopPromise<Void>

    init(handshake: EventLoopPromise<Void>) {
        self.handshake = handshake
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            handshake.succeed()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        handshake.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake.fail(ChannelError.eof)
        context.fireChannelInactive()
    }
}

/// A new upstream TLS connection did not finish its handshake within the connect timeout.
struct TLSHandshakeTimeout: Error, CustomStringConvertible {
    var description: String { "TLS handshake timed out" }
}
