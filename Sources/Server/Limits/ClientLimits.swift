import HummingbirdCore
import Logging
import NIOCore

/// What a client connection to the TCP listener is held to: the size of a request head
/// (`--max-head-size`), the connections one address may keep open (`--max-connections-per-client`,
/// and `--max-proxy-connections-per-client` for the proxy route), and how long llmtrace waits for a
/// client that sends nothing (`--client-idle-timeout`). Copies share the count of open connections
/// and the throttled log lines, so one value serves every connection of a listener.
struct ClientLimits: Sendable {
    static let maxHeadSizeFlag = "--max-head-size"
    static let idleTimeoutFlag = "--client-idle-timeout"
    static let keepAliveTimeoutFlag = "--keep-alive-timeout"

    /// The largest request head (request line and header fields), in bytes.
    var maxHeadBytes: Int
    /// Most connections one address may have open to every route but the proxy; 0 for no limit.
    var maxConnectionsPerClient: Int
    /// Most connections one address may have open to the proxy route; 0 for no limit.
    var maxProxyConnectionsPerClient: Int
    /// How long a connection may keep llmtrace waiting for a request head or body; `nil` for ever.
    var idleTimeout: TimeAmount?
    /// How long a kept-alive connection may wait for its next request; `nil` for ever.
    var keepAliveTimeout: TimeAmount?
    /// Peers that carry many clients' connections (``ServerConfiguration/trustedProxies``): never counted.
    var trustedProxies: [IPNetwork]
    /// Where refusals and closes are told.
    let logger: Logger
    /// The connections open, by address and pool.
    let counter = ClientConnectionCounter()
    /// Lines about connections refused for the per-address limit.
    let refusedLog = ThrottledLog()
    /// Lines about request heads over the size limit.
    let oversizedLog = ThrottledLog()
    /// Lines about connections closed for sending nothing.
    let idleLog = ThrottledLog()

    /// The limits `configuration` sets.
    init(_ configuration: ServerConfiguration, logger: Logger) {
        maxHeadBytes = configuration.maxHeadBytes
        maxConnectionsPerClient = configuration.maxConnectionsPerClient
        maxProxyConnectionsPerClient = configuration.maxProxyConnectionsPerClient
        idleTimeout = TimeAmount(seconds: configuration.clientIdleTimeoutSeconds)
        keepAliveTimeout = TimeAmount(seconds: configuration.keepAliveTimeoutSeconds)
        trustedProxies = configuration.trustedProxies
        self.logger = logger
    }

    /// The same head size limit and nothing else: for the unix socket, whose only clients are local.
    var local: ClientLimits {
        var limits = self
        limits.maxConnectionsPerClient = 0
        limits.maxProxyConnectionsPerClient = 0
        limits.idleTimeout = nil
        limits.keepAliveTimeout = nil
        return limits
    }

    /// The connection limit of `pool`; 0 for none.
    func connectionLimit(for pool: ClientConnectionCounter.Pool) -> Int {
        pool == .api ? maxConnectionsPerClient : maxProxyConnectionsPerClient
    }

    /// The flag that sets the connection limit of `pool`.
    static func connectionLimitFlag(for pool: ClientConnectionCounter.Pool) -> String {
        pool == .api ? "--max-connections-per-client" : "--max-proxy-connections-per-client"
    }

    /// The address a peer's connections are counted against: `nil` for a unix-socket peer and for a
    /// trusted proxy.
    func countedAddress(of peer: SocketAddress?) -> IPAddress? {
        guard let address = peer.flatMap(IPAddress.init) else { return nil }
        return ForwardedClient.isTrusted(address, trustedProxies) ? nil : address
    }

    /// The HTTP/1 decoder's limits: the head size bounds one header field and the whole head alike.
    var decoderConfiguration: HTTP1Channel.Configuration.DecoderConfiguration {
        .init(maxHeaderFieldSize: maxHeadBytes, maxHeaderListSize: maxHeadBytes)
    }

    /// The handlers a new connection gets ahead of llmtrace's others, each enforcing one limit.
    /// `tls` says whether the connection starts with a TLS handshake (for the idle timeout's log line).
    func channelHandlers(tls: Bool) -> [any RemovableChannelHandler] {
        var handlers: [any RemovableChannelHandler] = [OversizedHeadHandler(limits: self)]
        if maxConnectionsPerClient > 0 || maxProxyConnectionsPerClient > 0 { handlers.append(ConnectionLimitHandler(limits: self)) }
        if idleTimeout != nil || keepAliveTimeout != nil {
            handlers.append(ClientIdleTimeoutHandler(limits: self, timeout: idleTimeout, keepAlive: keepAliveTimeout, tls: tls))
        }
        return handlers
    }

    /// `64 KiB`, `1 MiB`, `1500 bytes`.
    static func byteSize(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
