// A fast local stand-in for an OpenAI-compatible server, for bench/run and bench/soak.
//
//   bench-upstream --port 0 [--event-interval-ms 10] [--events 200]
//
// POST …/chat/completions answers a small chat completion as JSON, or, when the request body asks for
// `"stream": true`, a stream of `--events` chat.completion.chunk events spaced `--event-interval-ms`
// apart, then a usage chunk and `[DONE]`. Each event's text is `t<nanoseconds> ` where the number is
// CLOCK_MONOTONIC when the event was written, so a client on the same machine can tell how long each
// event took to reach it (every proxy passes the text through, whatever it does to the framing).
// Prints `listening on PORT` once ready.
import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

let completionJSON = Array(
    #"{"id":"chatcmpl-bench","object":"chat.completion","created":1764400000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"The quick brown fox jumps over the lazy dog. It was a bright cold day in April, and the clocks were striking thirteen.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":27,"total_tokens":69,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_bench"}"#
        .utf8
)

func chunk(_ text: String) -> String {
    #"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764400000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":{"content":"\#(text)"},"logprobs":null,"finish_reason":null}]}"#
        + "\n\n"
}

let roleChunk =
    #"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764400000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#
    + "\n\n"

func finalChunks(events: Int) -> String {
    #"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764400000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}"#
        + "\n\n"
        + #"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764400000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_bench","choices":[],"usage":{"prompt_tokens":42,"completion_tokens":\#(events),"total_tokens":\#(events + 42)}}"#
        + "\n\ndata: [DONE]\n\n"
}

/// True if the body asks for a stream. Bodies over 64 KiB (the 1 MB workload) are never streams.
func asksForStream(_ body: ByteBuffer) -> Bool {
    guard body.readableBytes <= 65_536 else { return false }
    let text = String(buffer: body)
    return text.contains(#""stream":true"#) || text.contains(#""stream": true"#)
}

final class UpstreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let events: Int
    let interval: TimeAmount
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(events: Int, interval: TimeAmount) {
        self.events = events
        self.interval = interval
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.clear()
        case .body(var part):
            if body.readableBytes <= 65_536 { body.writeBuffer(&part) }
        case .end:
            guard let head else { return }
            self.head = nil
            if head.method == .POST, asksForStream(body) {
                stream(context: context, keepAlive: head.isKeepAlive)
            } else {
                respondJSON(context: context, keepAlive: head.isKeepAlive)
            }
        }
    }

    private func respondJSON(context: ChannelHandlerContext, keepAlive: Bool) {
        writeHead(context: context, keepAlive: keepAlive, ["content-type": "application/json", "content-length": "\(completionJSON.count)"])
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: completionJSON)))), promise: nil)
        end(context: context, keepAlive: keepAlive)
    }

    private func stream(context: ChannelHandlerContext, keepAlive: Bool) {
        writeHead(context: context, keepAlive: keepAlive, ["content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"])
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: roleChunk)))), promise: nil)
        sendEvent(1, context: context, keepAlive: keepAlive)
    }

    private func writeHead(context: ChannelHandlerContext, keepAlive: Bool, _ fields: KeyValuePairs<String, String>) {
        var headers = HTTPHeaders()
        for (name, value) in fields { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
    }

    private func end(context: ChannelHandlerContext, keepAlive: Bool) {
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }

    private func sendEvent(_ n: Int, context: ChannelHandlerContext, keepAlive: Bool) {
        context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: interval) { [self] in
            guard context.channel.isActive else { return }
            if n > events {
                context.write(
                    wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: finalChunks(events: events))))),
                    promise: nil
                )
                end(context: context, keepAlive: keepAlive)
                return
            }
            let event = chunk("t\(monotonicNanos()) ")
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: event)))), promise: nil)
            sendEvent(n + 1, context: context, keepAlive: keepAlive)
        }
    }
}

@main
struct BenchUpstream: ParsableCommand {
    @Option(help: "Port to listen on (0 picks a free one).") var port = 0
    @Option(help: "Events per streamed completion.") var events = 200
    @Option(help: "Milliseconds between streamed events.") var eventIntervalMs = 10.0
    @Option(help: "Event-loop threads.") var threads = System.coreCount
    @Option(help: "Serve HTTPS with this PEM certificate (needs --tls-key).") var tlsCert: String?
    @Option(help: "The PEM key of --tls-cert.") var tlsKey: String?

    func run() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let interval = TimeAmount.nanoseconds(Int64(eventIntervalMs * 1_000_000))
        let events = self.events
        let tls = try tlsCert.map { cert in
            try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: tlsKey ?? cert, format: .pem))
                )
            )
        }
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(events: events, interval: interval))
                }
            }
            .bind(host: "127.0.0.1", port: port).wait()
        FileHandle.standardOutput.write(Data("listening on \(channel.localAddress?.port ?? 0)\n".utf8))
        try channel.closeFuture.wait()
    }
}
