import Analysis
import LLMTraceModel
import NIOCore
import NIOSSL
import NIOTLS

/// Behind the TLS handler of a decrypted CONNECT: a client whose handshake fails (most often because it
/// does not trust llmtrace's CA) leaves a record saying so, so the user sees why their program got no answer.
final class ClientTLSFailureHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let target: ForwardTarget
    private let core: ProxyCore

    init(target: ForwardTarget, core: ProxyCore) {
        self.target = target
        self.core = core
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let route = ProxyRoute(
            env: target.env ?? core.forward?.settings.env ?? "forward",
            scheme: "https",
            host: target.host,
            port: target.port == 443 ? nil : target.port,
            path: "/",
            query: nil
        )
        let session = core.proxy.captureSession(route: route, method: .connect, headers: [])
        let message =
            "the client's TLS handshake with llmtrace failed (\(error)): the program most likely does not trust llmtrace's CA; run `llmtrace ca` for how to trust it"
        core.proxy.logger.notice("CONNECT \(target.host):\(target.port): \(message)")
        session.finish(error: TraceError(type: "client_tls_failed", message: message), complete: false)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        context.close(promise: nil)
    }
}
