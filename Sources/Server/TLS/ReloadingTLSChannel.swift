import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// Wraps a child channel in TLS with the context ``TLSCertificates`` holds when the connection is
/// accepted, so a reloaded pair applies to new connections and open ones keep theirs.
struct ReloadingTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let certificates: TLSCertificates

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = certificates.context
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            self.base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ReloadingTLSChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS with the pair in `certificates` at each connection's start.
    static func http1(configuration: HTTP1Channel.Configuration, tls certificates: TLSCertificates) -> HTTPServerBuilder {
        .init { responder in
            ReloadingTLSChannel(base: HTTP1Channel(responder: responder, configuration: configuration), certificates: certificates)
        }
    }
}
