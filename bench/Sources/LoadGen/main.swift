// HTTP/1.1 load generator for bench/run and bench/soak: keeps `--concurrency` keep-alive connections busy
// with chat-completion requests for `--duration` seconds and prints one JSON line of results.
//
//   loadgen --url http://127.0.0.1:8080/v1/chat/completions --concurrency 32 --duration 10 --kind json
//
// Kinds: `json` (small completion), `sse` (streamed completion; the per-event delay is measured from
// the `t<nanoseconds>` stamps bench-upstream writes into each event's text), `big` (a 1 MB request
// body), or a mix such as `--mix json:70,sse:20,big:10`. Latency is from writing the request head to
// the end of the response; time to first byte is to the first body byte.
import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

enum Kind: String, CaseIterable, ExpressibleByArgument, Sendable {
    case json, sse, big
}

/// Everything one connection measured.
struct Samples: Sendable {
    var latencies: [UInt64] = []
    var ttfbs: [UInt64] = []
    var eventDelays: [UInt64] = []
    var completedInWindow = 0
    /// Responses finished at any time, warm-up included.
    var completed = 0
    var errors = 0
    var badStatus = 0
    var bytesReceived = 0

    mutating func merge(_ other: Samples) {
        latencies += other.latencies
        ttfbs += other.ttfbs
        eventDelays += other.eventDelays
        completedInWindow += other.completedInWindow
        completed += other.completed
        errors += other.errors
        badStatus += other.badStatus
        bytesReceived += other.bytesReceived
    }
}

struct Plan: Sendable {
    let host: String
    let port: Int
    let path: String
    let bodies: [Kind: ByteBuffer]
    /// Kinds in proportion, cycled through.
    let schedule: [Kind]
    let headers: [(String, String)]
    let warmupEnd: UInt64
    let end: UInt64
}

/// Finds `"t<digits> ` stamps in a byte stream, across piece boundaries.
struct StampScanner {
    private var state = 0
    private var value: UInt64 = 0
    private var digits = 0

    mutating func scan(_ buffer: ByteBuffer, onStamp: (UInt64) -> Void) {
        buffer.withUnsafeReadableBytes { bytes in
            for b in bytes {
                switch state {
                case 1:
                    if b == UInt8(ascii: "t") {
                        state = 2
                        value = 0
                        digits = 0
                    } else if b != UInt8(ascii: "\"") {
                        state = 0
                    }
                case 2:
                    if b >= 48 && b <= 57 {
                        value = value &* 10 &+ UInt64(b - 48)
                        digits += 1
                    } else {
                        if b == UInt8(ascii: " "), digits >= 9 { onStamp(value) }
                        state = b == UInt8(ascii: "\"") ? 1 : 0
                    }
                default:
                    if b == UInt8(ascii: "\"") { state = 1 }
                }
            }
        }
    }
}

/// Opens a CONNECT tunnel through a forward proxy, then TLS with the target inside it, then the HTTP
/// client handlers and the ``Connection``, which starts at once (the channel is already active).
final class ConnectThenTLS: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let target: String
    let serverName: String
    let tls: NIOSSLContext
    let connection: () -> Connection
    private var answer = ByteBuffer()

    init(target: String, serverName: String, tls: NIOSSLContext, connection: @escaping () -> Connection) {
        self.target = target
        self.serverName = serverName
        self.tls = tls
        self.connection = connection
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(ByteBuffer(string: "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\n")), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        answer.writeBuffer(&buffer)
        let text = String(buffer: answer)
        guard let end = text.range(of: "\r\n\r\n") else { return }
        guard text.hasPrefix("HTTP/1.1 200") else {
            context.close(promise: nil)
            return
        }
        precondition(text[end.upperBound...].isEmpty, "the proxy sent bytes after its CONNECT answer")
        do {
            let pipeline = context.pipeline.syncOperations
            let isAddress = serverName.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
            let ssl = try NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : serverName)
            try pipeline.addHandler(ssl, position: .after(self))
            try pipeline.addHTTPClientHandlers(position: .after(ssl))
            let connection = self.connection()
            try pipeline.addHandler(connection)
            pipeline.removeHandler(self, promise: nil)
            connection.start(context: try pipeline.context(handler: connection))
        } catch {
            context.close(promise: nil)
        }
    }
}

final class Connection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let plan: Plan
    let finished: @Sendable (Samples) -> Void
    /// Opens a new connection carrying on with these samples (the server closed this one).
    let reconnect: @Sendable (Samples, Int) -> Void
    private var samples: Samples
    private var next: Int
    private var sentAt: UInt64 = 0
    private var firstByteAt: UInt64 = 0
    private var status = 0
    private var scanner = StampScanner()
    private var reported = false
    private var busy = false

    init(
        plan: Plan,
        offset: Int,
        samples: Samples = Samples(),
        finished: @escaping @Sendable (Samples) -> Void,
        reconnect: @escaping @Sendable (Samples, Int) -> Void
    ) {
        self.plan = plan
        self.next = offset
        self.samples = samples
        self.finished = finished
        self.reconnect = reconnect
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context: context)
    }

    /// Starts on a channel that is already active (behind a CONNECT tunnel).
    func start(context: ChannelHandlerContext) {
        send(context: context)
    }

    private func send(context: ChannelHandlerContext) {
        guard monotonicNanos() < plan.end else {
            report()
            context.close(promise: nil)
            return
        }
        let kind = plan.schedule[next % plan.schedule.count]
        next += 1
        guard let body = plan.bodies[kind] else { return }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: plan.path)
        head.headers.add(name: "host", value: "\(plan.host):\(plan.port)")
        head.headers.add(name: "content-type", value: "application/json")
        head.headers.add(name: "content-length", value: "\(body.readableBytes)")
        for (name, value) in plan.headers { head.headers.add(name: name, value: value) }
        sentAt = monotonicNanos()
        firstByteAt = 0
        status = 0
        busy = true
        scanner = StampScanner()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(let part):
            let now = monotonicNanos()
            if firstByteAt == 0 { firstByteAt = now }
            samples.bytesReceived += part.readableBytes
            if sentAt >= plan.warmupEnd {
                scanner.scan(part) { stamp in
                    samples.eventDelays.append(now > stamp ? now - stamp : 0)
                }
            }
        case .end:
            let now = monotonicNanos()
            busy = false
            samples.completed += 1
            if status != 200 { samples.badStatus += 1 }
            if sentAt >= plan.warmupEnd {
                samples.latencies.append(now - sentAt)
                samples.ttfbs.append((firstByteAt == 0 ? now : firstByteAt) - sentAt)
            }
            if now >= plan.warmupEnd && now <= plan.end { samples.completedInWindow += 1 }
            send(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        samples.errors += 1
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if busy { samples.errors += 1 }
        guard !reported else { return }
        if monotonicNanos() < plan.end {
            reported = true
            reconnect(samples, next)
        } else {
            report()
        }
    }

    private func report() {
        guard !reported else { return }
        reported = true
        finished(samples)
    }
}

func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
    return Double(sorted[max(0, index)]) / 1_000_000
}

@main
struct LoadGen: ParsableCommand {
    @Option(help: "Target URL (http only).") var url: String
    @Option(help: "Connections kept busy at once.") var concurrency = 32
    @Option(help: "Seconds to run, warm-up included.") var duration = 10.0
    @Option(help: "Seconds at the start not measured.") var warmup = 2.0
    @Option(help: "What to send: json, sse or big.") var kind: Kind = .json
    @Option(help: "A mix instead of one kind, e.g. json:70,sse:20,big:10.") var mix: String?
    @Option(help: "Model named in the requests.") var model = "gpt-4o-mini"
    @Option(help: "Size of the big request body in bytes.") var bigBytes = 1_000_000
    @Option(help: "Event-loop threads.") var threads = 1
    @Option(help: "Seconds to wait past --duration for requests still in flight.") var grace = 30.0
    @Option(help: "A label copied into the output.") var label = ""
    @Option(help: "Reach an https:// --url through this forward proxy (http://host:port) with CONNECT.") var proxy: String?
    @Option(help: "With --proxy: the PEM CA the target's certificate is checked against (the proxy's CA).") var ca: String?

    func run() throws {
        guard let components = URLComponents(string: url), let host = components.host,
            components.scheme == "http" || (components.scheme == "https" && proxy != nil)
        else {
            throw ValidationError("--url must be an http:// URL (or https:// with --proxy)")
        }
        let port = components.port ?? (components.scheme == "https" ? 443 : 80)
        // Through a forward proxy: CONNECT host:port, then TLS with the target inside the tunnel.
        var through: (host: String, port: Int, tls: NIOSSLContext)?
        if let proxy {
            guard let p = URLComponents(string: proxy), let proxyHost = p.host, let proxyPort = p.port else {
                throw ValidationError("--proxy must be http://host:port")
            }
            var tls = TLSConfiguration.makeClientConfiguration()
            if let ca { tls.trustRoots = .file(ca) }
            through = (proxyHost, proxyPort, try NIOSSLContext(configuration: tls))
        }
        let tunnel = through
        var path = components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }

        let schedule = try makeSchedule()
        let allocator = ByteBufferAllocator()
        let message = #"[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Tell me a short fact about foxes."}]"#
        let filler = String(repeating: "All work and no play makes Jack a dull boy. ", count: bigBytes / 45 + 1).prefix(bigBytes)
        let bodies: [Kind: ByteBuffer] = [
            .json: allocator.buffer(string: #"{"model":"\#(model)","messages":\#(message),"max_tokens":64}"#),
            .sse: allocator.buffer(
                string: #"{"model":"\#(model)","stream":true,"stream_options":{"include_usage":true},"messages":\#(message)}"#
            ),
            .big: allocator.buffer(string: #"{"model":"\#(model)","messages":[{"role":"user","content":"\#(filler)"}],"max_tokens":16}"#),
        ]
        let start = monotonicNanos()
        let plan = Plan(
            host: host,
            port: port,
            path: path,
            bodies: bodies,
            schedule: schedule,
            headers: [("authorization", "Bearer sk-bench-0000000000000000"), ("user-agent", "llmtrace-loadgen")],
            warmupEnd: start + UInt64(warmup * 1e9),
            end: start + UInt64(duration * 1e9)
        )

        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let total = Mutex(Samples())
        let finished = Mutex(0)
        let done = DispatchGroup()
        @Sendable func connect(offset: Int, samples: Samples) {
            let connection = {
                Connection(
                    plan: plan,
                    offset: offset,
                    samples: samples,
                    finished: { samples in
                        total.withLock { $0.merge(samples) }
                        finished.withLock { $0 += 1 }
                        done.leave()
                    },
                    reconnect: { samples, next in connect(offset: next, samples: samples) }
                )
            }
            let bootstrap = ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tunnel {
                            try channel.pipeline.syncOperations.addHandler(
                                ConnectThenTLS(target: "\(host):\(port)", serverName: host, tls: tunnel.tls, connection: connection)
                            )
                        } else {
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            try channel.pipeline.syncOperations.addHandler(connection())
                        }
                    }
                }
            bootstrap.connect(host: tunnel?.host ?? host, port: tunnel?.port ?? port).whenFailure { _ in
                var samples = samples
                samples.errors += 1
                total.withLock { $0.merge(samples) }
                finished.withLock { $0 += 1 }
                done.leave()
            }
        }
        for i in 0..<concurrency {
            done.enter()
            connect(offset: i, samples: Samples())
        }
        // Connections still busy after the grace are reported as unfinished (their samples are lost).
        _ = done.wait(timeout: .now() + duration + grace)
        let unfinished = concurrency - finished.withLock { $0 }

        var samples = total.withLock { $0 }
        samples.latencies.sort()
        samples.ttfbs.sort()
        samples.eventDelays.sort()
        let window = duration - warmup
        let result: [String: Any] = [
            "label": label,
            "concurrency": concurrency,
            "kind": mix ?? kind.rawValue,
            "requests": samples.latencies.count,
            "rps": Double(samples.completedInWindow) / window,
            "errors": samples.errors,
            "unfinished_connections": unfinished,
            "completed": samples.completed,
            "bad_status": samples.badStatus,
            "latency_p50_ms": percentile(samples.latencies, 0.5),
            "latency_p99_ms": percentile(samples.latencies, 0.99),
            "ttfb_p50_ms": percentile(samples.ttfbs, 0.5),
            "ttfb_p99_ms": percentile(samples.ttfbs, 0.99),
            "events": samples.eventDelays.count,
            "event_delay_p50_ms": percentile(samples.eventDelays, 0.5),
            "event_delay_p99_ms": percentile(samples.eventDelays, 0.99),
            "bytes_received": samples.bytesReceived,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        Foundation.exit(0)  // flushes stdout; does not wait for connections still open past the grace
    }

    func makeSchedule() throws -> [Kind] {
        guard let mix else { return [kind] }
        var schedule: [Kind] = []
        for part in mix.split(separator: ",") {
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let k = Kind(rawValue: String(pieces[0])), let weight = Int(pieces[1]), weight > 0 else {
                throw ValidationError("--mix wants kind:weight pairs, e.g. json:70,sse:20,big:10")
            }
            schedule += Array(repeating: k, count: weight)
        }
        // Interleave so each connection sees the mix, not runs of one kind.
        var rng = SystemRandomNumberGenerator()
        schedule.shuffle(using: &rng)
        return schedule
    }
}
