import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A webhook endpoint on loopback for tests: a real HTTP server that answers each POST with the status
/// its script gives (200 by default) and keeps the bodies it received.
final class WebhookReceiver: Sendable {
    private let bodies = Mutex<[Data]>([])
    private let statuses = Mutex<[HTTPResponse.Status]>([])
    let port: Int

    private init(port: Int) { self.port = port }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var received: [Data] { bodies.withLock { $0 } }

    /// The statuses to answer the next POSTs with, in order (then 200).
    func answer(_ next: [HTTPResponse.Status]) { statuses.withLock { $0 = next } }

    /// Runs `body` with a receiver listening on a free loopback port, then stops it.
    static func with<T: Sendable>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
        let router = Router()
        let holder = Mutex<WebhookReceiver?>(nil)
        router.post("hook") { request, _ -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            guard let receiver = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            receiver.bodies.withLock { $0.append(Data(buffer.readableBytesView)) }
            let status = receiver.statuses.withLock { s in s.isEmpty ? HTTPResponse.Status.ok : s.removeFirst() }
            return Response(status: status)
        }
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: Logger(label: "webhook-receiver")
        )
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await p in ports { port = p }
        let receiver = WebhookReceiver(port: port)
        holder.withLock { $0 = receiver }
        do {
            let result = try await body(receiver)
            server.cancel()
            _ = await server.result
            return result
        } catch {
            server.cancel()
            _ = await server.result
            throw error
        }
    }
}
