import NIOCore

/// One end of a CONNECT tunnel that is not decrypted: what one connection reads, the other writes,
/// byte for byte, and each side is read only as fast as the other side takes it. Both connections are
/// on the same event loop; when either closes, so does the other.
final class TunnelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    /// The other end; set on both once both connections are there.
    var partner: TunnelHandler?
    private var pendingRead = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    /// Joins two ends.
    static func join(_ a: TunnelHandler, _ b: TunnelHandler) {
        a.partner = b
        b.partner = a
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.send(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        partner = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.readIfWaiting() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        // Reads wait while the other side cannot take more.
        if let partner, let other = partner.context, !other.channel.isWritable {
            pendingRead = true
        } else {
            context.read()
        }
    }

    private func send(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func readIfWaiting() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }
}
