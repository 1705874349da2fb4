import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The kept-alive upstream connections of one event loop, and new ones made on it: an exchange and its
/// upstream connection share the client connection's loop, so forwarding never changes threads.
/// Used only on `eventLoop` (which is why it may be shared as `Sendable`).
final class UpstreamPool: @unchecked Sendable {
    let eventLoop: any EventLoop
    let connectTimeout: TimeAmount
    /// Verifies HTTPS upstreams' certificates (the system's CAs and `--upstream-ca`).
    let tls: NIOSSLContext
    /// How long a connection may wait in the pool before it is closed.
    let idleTimeout: TimeAmount
    /// At most this many idle connections are kept per upstream; more are closed.
    let maxIdlePerKey: Int
    private var idle: [UpstreamKey: [UpstreamConnection]] = [:]

    init(eventLoop: any EventLoop, connectTimeout: TimeAmount, tls: NIOSSLContext, idleTimeout: TimeAmount = .seconds(60), maxIdlePerKey: Int = 256) {
        self.eventLoop = eventLoop
        self.connectTimeout = connectTimeout
        self.tls = tls
        self.idleTimeout = idleTimeout
        self.maxIdlePerKey = maxIdlePerKey
    }

    /// A kept-alive connection to `key`, newest first, or `nil` when none is open.
    func take(_ key: UpstreamKey) -> UpstreamConnection? {
        eventLoop.assertInEventLoop()
        while let connection = idle[key]?.popLast() {
            connection.eviction?.cancel()
            connection.eviction = nil
            if connection.handler.isActive { return connection }
        }
        return nil
    }

    /// Keeps `connection` for the next exchange to `connection.key`, closing it after ``idleTimeout``.
    func give(_ connection: UpstreamConnection) {
        eventLoop.assertInEventLoop()
        guard connection.handler.isActive else {
            connection.channel.close(promise: nil)
            return
        }
        connection.handler.delegate = nil
        connection.handler.reset()
        var list = idle[connection.key] ?? []
        if list.count >= maxIdlePerKey {
            list.removeFirst().channel.close(promise: nil)
        }
        list.append(connection)
        idle[connection.key] = list
        let channel = connection.channel
        connection.eviction = eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
    }

    /// Opens a new connection to `key` (by IP literal or by name), over TLS for an HTTPS upstream (its
    /// certificate verified for `key.serverName`, or for the IP address connected to), with the HTTP/1.1
    /// client codec, and calls `completion` with it on ``eventLoop``.
    /// A TLS connection is handed over once its handshake completed, which it must within ``connectTimeout``.
    func connect(_ key: UpstreamKey, completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        let tls = key.tls ? self.tls : nil
        let handshake = key.tls ? eventLoop.makePromise(of: Void.self) : nil
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls, let handshake {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: key.serverName))
                        try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(handshake: handshake))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(leftOverBytesStrategy: .fireError)
                    try channel.pipeline.syncOperations.addHandler(UpstreamChannelHandler())
                }
            }
        let connected: EventLoopFuture<any Channel>
        if let address = try? SocketAddress(ipAddress: key.host, port: key.port) {
            connected = bootstrap.connect(to: address)
        } else {
            connected = bootstrap.connect(host: key.host, port: key.port)
        }
        let connectTimeout = self.connectTimeout
        let loop = eventLoop
        connected.assumeIsolated().whenComplete { result in
            let made = result.flatMap { channel in
                Result {
                    let handler = try channel.pipeline.syncOperations.handler(type: UpstreamChannelHandler.self)
                    let connection = UpstreamConnection(channel: channel, key: key, handler: handler)
                    handler.onClose = { [weak self, weak connection] in if let connection { self?.forget(connection) } }
                    return connection
                }
            }
            guard case .success(let connection) = made, let handshake else {
                handshake?.fail(ChannelError.ioOnClosedChannel)
                completion(made)
                return
            }
            let channel = connection.channel
            let deadline = loop.assumeIsolated().scheduleTask(in: connectTimeout) {
                handshake.fail(TLSHandshakeTimeout())
                channel.close(promise: nil)
            }
            handshake.futureResult.assumeIsolated().whenComplete { outcome in
                deadline.cancel()
                switch outcome {
                case .success: completion(.success(connection))
                case .failure(let error):
                    channel.close(promise: nil)
                    completion(.failure(error))
                }
            }
        }
    }

    private func forget(_ connection: UpstreamConnection) {
        connection.eviction?.cancel()
        connection.eviction = nil
        idle[connection.key]?.removeAll { $0 === connection }
    }

    /// Closes every idle connection (the server is stopping).
    func closeAll() {
        eventLoop.assertInEventLoop()
        for connection in idle.values.joined() { connection.channel.close(promise: nil) }
        idle = [:]
    }
}
