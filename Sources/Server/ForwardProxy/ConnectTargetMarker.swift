import NIOCore
import NIOHTTP1

/// Keeps a CONNECT's request target for the forward proxy. The conversion to HTTPTypes that follows
/// takes a request's authority from its `Host` header (which clients set to the proxy's own address
/// on a CONNECT, as Node does) and loses a target that is not a path; this handler, before that
/// conversion, copies the target into a header of llmtrace's own, after dropping any the client sent.
final class ConnectTargetMarker: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// The header that carries the target (never forwarded: it only lives inside llmtrace's pipeline).
    static let header = "x-llmtrace-connect-target"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: Self.header)
        if head.method == .CONNECT { head.headers.add(name: Self.header, value: head.uri) }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
