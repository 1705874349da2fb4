import Analysis
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// What the channel-level forwarding path needs, shared by every connection: the capture pipeline and
/// its settings (from the ``ProxyHandler`` it stands in for) and one ``UpstreamPool`` per event loop.
///
/// The path handles `/proxy/` requests inside the server connection's channel pipeline
/// (``ProxyChannelHandler``), before Hummingbird builds its request and response types, and forwards
/// them on an upstream connection of the same event loop. Requests it does not handle yet go on to
/// Hummingbird and the ``ProxyHandler`` (see `ProxyChannelHandler.handles`).
struct ProxyCore: Sendable {
    let proxy: ProxyHandler
    let pools: UpstreamPools
    /// Reverse proxies whose forwarding headers count: such requests still take the ``ProxyHandler``.
    let trustedProxies: [IPNetwork]
    /// The forward proxy (CONNECT on the same port), in local mode; `nil` in shared mode.
    let forward: ForwardProxy?

    /// Whether it forwards: always, unless `LLMTRACE_PROXY_CORE=handler` sends every proxy request to the
    /// ``ProxyHandler`` (the path before it, kept as a way back should this one misbehave).
    static var enabled: Bool { ProcessInfo.processInfo.environment["LLMTRACE_PROXY_CORE"] != "handler" }
}

/// One ``UpstreamPool`` per event loop of the group the server runs on; each is used on its loop only.
final class UpstreamPools: @unchecked Sendable {
    private let pools: [ObjectIdentifier: UpstreamPool]

    init(group: MultiThreadedEventLoopGroup = .singleton, connectTimeout: TimeAmount, tls: NIOSSLContext) {
        var pools: [ObjectIdentifier: UpstreamPool] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = UpstreamPool(eventLoop: loop, connectTimeout: connectTimeout, tls: tls)
        }
        self.pools = pools
    }

    /// The pool of `eventLoop`, or `nil` for a loop outside the group.
    func pool(for eventLoop: any EventLoop) -> UpstreamPool? {
        pools[ObjectIdentifier(eventLoop)]
    }

    /// Closes the idle connections of every pool.
    func closeAll() {
        for pool in pools.values { pool.eventLoop.execute { pool.closeAll() } }
    }
}
