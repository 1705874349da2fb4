import NIOCore
import NIOHTTP1

/// Keeps the request target of the forward proxy's requests: a CONNECT's `host:port` and a plain-HTTP
/// request's absolute URI (`GET http://host/path`). The conversion to HTTPTypes that follows takes a
/// request's authority from its `Host` header (which clients set to the proxy's own address on a
/// CONNECT, as Node does) and keeps only the path of an absolute URI; this handler, before that
/// conversion, copies the target into a header of llmtrace's own, after dropping any the client sent.
final class ForwardTargetMarker: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// The header that carries a CONNECT's target (it only lives inside llmtrace's pipeline).
    static let connectHeader = "x-llmtrace-connect-target"
    /// The header that carries an absolute-form request's URI.
    static let absoluteHeader = "x-llmtrace-absolute-uri"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: Self.connectHeader)
        head.headers.remove(name: Self.absoluteHeader)
        if head.method == .CONNECT {
            head.headers.add(name: Self.connectHeader, value: head.uri)
        } else if head.uri.prefix(7).lowercased() == "http://" {
            head.headers.add(name: Self.absoluteHeader, value: head.uri)
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
