import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request head larger than ``ClientLimits/maxHeadBytes`` (the HTTP decoder's limit, which
/// ends in `HTTPParserError.headerOverflow`) with 431 `request_head_too_large` and closes the connection,
/// where Hummingbird alone would answer an empty 400.
///
/// When a pipelined head overflows while an earlier response is still being written, the error is
/// passed on, and Hummingbird answers 400 after that response.
final class OversizedHeadHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ClientLimits
    /// Requests whose response has not ended yet.
    private var responsesOpen = 0
    /// Whether the connection was refused: the decoder's later errors (it stops after the first) are dropped.
    private var refused = false

    init(limits: ClientLimits) {
        self.limits = limits
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { responsesOpen += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { responsesOpen -= 1 }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !refused else { return }
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        let peer = context.channel.remoteAddress.flatMap(IPAddress.init).map { "\($0)" } ?? "a local client"
        let limit = ClientLimits.byteSize(limits.maxHeadBytes)
        limits.oversizedLog.log(
            limits.logger,
            level: .notice,
            "refused a request from \(peer): its head (request line and headers) is larger than \(limit) (\(ClientLimits.maxHeadSizeFlag))"
        )
        guard responsesOpen == 0 else {
            context.fireErrorCaught(error)
            return
        }
        refused = true
        ConnectionRefusal(
            error: APIError(
                status: .requestHeaderFieldsTooLarge,
                type: "request_head_too_large",
                message: "the request line and headers are larger than \(limit), the most this server takes (\(ClientLimits.maxHeadSizeFlag))"
            )
        ).send(on: context)
    }
}
