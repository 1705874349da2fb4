import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a server under test, for what an HTTP client does not do: send nothing
/// at all, trickle a request head a byte at a time, or see that the server closed the connection.
final class RawClient: Sendable {
    private let channel: any Channel
    private let received: Received

    /// What the server sent so far.
    final class Received: Sendable {
        private let bytes = Mutex<[UInt8]>([])
        var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
        func append(_ buffer: ByteBuffer) { bytes.withLock { $0 += buffer.readableBytesView } }
    }

    /// Collects what arrives; the server's reset of the connection is a close like any other.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(received: Received) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { received.append(unwrapInboundIn(data)) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    /// Connects to `127.0.0.1:port` and sends `first`, if given, at once: a server with a short idle
    /// timeout sees it before that timeout however busy the machine is.
    ///
    /// The socket is made here, close-on-exec, and handed to NIO connected: a socket NIO makes itself is
    /// inherited by the processes other tests start meanwhile, and then closing it here neither ends
    /// nor resets the connection while they run.
    static func connect(port: Int, sending first: String? = nil) async throws -> RawClient {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ProcessFailure("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        // A blocking connect on loopback: answered at once.
        let connected = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = errno
            Glibc.close(fd)
            throw ProcessFailure("cannot connect to 127.0.0.1:\(port): errno \(error)")
        }
        if let first {
            let bytes = Array(first.utf8)
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == bytes.count else {
                Glibc.close(fd)
                throw ProcessFailure("cannot send the first \(bytes.count) bytes to 127.0.0.1:\(port): sent \(sent)")
            }
        }
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received: received)) }
            }
            .withConnectedSocket(fd)
            .get()
        return RawClient(channel: channel, received: received)
    }

    /// Connects to the port of `url` (`http://127.0.0.1:PORT`), sending `first` at once if given.
    static func connect(to url: String, sending first: String? = nil) async throws -> RawClient {
        guard let port = URLComponents(string: url)?.port else { throw ProcessFailure("no port in \(url)") }
        return try await connect(port: port, sending: first)
    }

    /// Whether the connection is still open.
    var isOpen: Bool { channel.isActive }

    /// What the server sent so far.
    var text: String { received.text }

    /// Sends `text` as it is.
    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Waits until the server closes the connection, and returns everything it sent; fails after
    /// `timeout` (an upper bound for a hang, not a timing assertion) and closes the connection then.
    func closedByServer(within timeout: Duration = .seconds(20)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while channel.isActive {
            guard ContinuousClock.now < deadline else {
                try? await channel.close()
                throw ProcessFailure("the server did not close the connection within \(timeout); it sent: \(received.text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return received.text
    }

    /// Closes the connection from this side.
    func close() async {
        try? await channel.close()
    }

    /// Closes the connection with a reset (RST) instead of a FIN. The server's connections accept a
    /// client's half-close, so after a FIN a server that is only writing (an event stream) notices the
    /// client gone at its next failed write; a reset it notices at once.
    func reset() async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }
}

/// A ``RawClient`` to `url` for the length of `body`, then closed.
func withRawClient<T>(to url: String, sending first: String? = nil, _ body: (RawClient) async throws -> T) async throws -> T {
    try await withTeardown(try await RawClient.connect(to: url, sending: first), teardown: { await $0.close() }, body)
}
