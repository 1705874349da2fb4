import CompressNIO
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A local upstream that behaves like an LLM provider: JSON, chunked SSE with delays, NDJSON, gzip,
/// errors, a connection that dies mid-stream, and a stream that records when its client goes away.
final class FakeUpstream: Sendable {
    struct State: Sendable {
        var gateOpen = false
        var endlessCancelled = false
        var endlessStarted = false
        var lastHeaders: [String: String] = [:]
    }

    let state = Mutex(State())
    private let running: Mutex<(group: ServiceGroup, task: Task<Void, Never>)?> = Mutex(nil)
    private let portBox = Mutex(0)

    static let json =
        #"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#

    static let azureRateLimit =
        #"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds."}}"#

    static let azureTwoChoices =
        #"{"id":"chatcmpl-az2","object":"chat.completion","created":1727000500,"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Heads."}},{"index":1,"finish_reason":"length","message":{"role":"assistant","content":"Tails"}}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}"#

    static func sseEvent(_ i: Int) -> String {
        #"data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"tok\#(i) "}}]}"# + "\n\n"
    }

    /// The `i`th piece of text of the `/slow` stream: exactly 8 characters.
    static func slowWord(_ i: Int) -> String {
        let digits = String(i)
        return "w" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + " "
    }

    /// An OpenAI chat stream with a tool call split over fragments and usage in the last chunk.
    static let openAIStream = [
        #"{"id":"c9","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
        #"{"id":"c9","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Checking "}}]}"#,
        #"{"id":"c9","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"the weather."}}]}"#,
        #"{"id":"c9","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"ci"}}]}}]}"#,
        #"{"id":"c9","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}}]}"#,
        #"{"id":"c9","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        #"{"id":"c9","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":40,"total_tokens":1240,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":0}}}"#,
    ]

    /// An Anthropic Messages stream with cache reads and writes and cumulative output usage.
    static let anthropicStream: [(String, String)] = [
        (
            "message_start",
            #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"usage":{"input_tokens":50,"cache_read_input_tokens":2000,"cache_creation_input_tokens":300,"output_tokens":1}}}"#
        ),
        ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think."}}"#),
        ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
        ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Bonjour "}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"le monde"}}"#),
        ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
        ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":25}}"#),
        ("message_stop", #"{"type":"message_stop"}"#),
    ]

    /// Deterministic pseudo-random bytes.
    static func bytes(_ n: Int, seed: UInt64 = 42) -> [UInt8] {
        var x = seed
        return (0..<n).map { _ in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: x >> 33)
        }
    }

    /// Starts on a free loopback port and returns once it listens.
    /// Starts it on a free loopback port; over HTTPS with `tls` (a PEM certificate and key).
    static func start(tls: (cert: String, key: String)? = nil) async throws -> FakeUpstream {
        let upstream = FakeUpstream()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        upstream.addRoutes(router)
        var logger = Logger(label: "fake-upstream")
        logger.logLevel = .error
        var server = HTTPServerBuilder.http1()
        if let tls {
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.cert).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem))
            )
            server = try .tls(.http1(), tlsConfiguration: configuration)
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        upstream.running.withLock { $0 = (group, Task { try? await group.run() }) }
        for await port in ports {
            upstream.portBox.withLock { $0 = port }
            return upstream
        }
        throw CancellationError()
    }

    var port: Int { portBox.withLock { $0 } }
    var base: String { "http://127.0.0.1:\(port)" }
    /// The proxy route prefix that reaches this upstream through llmtrace at `proxy`.
    func route(via proxy: String, env: String = "test") -> String { "\(proxy)/proxy/\(env)/http/127.0.0.1:\(port)" }

    /// Shuts the server down once its responses have ended; a response held at the gate is let go first,
    /// so a test that failed before opening the gate does not hold the shutdown for 30 s.
    func stop() async {
        guard let (group, task) = running.withLock({ $0 }) else { return }
        openGate()
        await group.triggerGracefulShutdown()
        await task.value
    }

    func openGate() { state.withLock { $0.gateOpen = true } }

    /// Holds a response back until the test calls ``openGate()`` (at most 30 s, so no test hangs).
    private func waitForGate() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !state.withLock({ $0.gateOpen }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private func addRoutes(_ router: Router<BasicRequestContext>) {
        router.on("/v1/chat/completions", method: .post) { request, _ in
            self.remember(request)
            let body = try await request.body.collect(upTo: 1 << 20)
            guard String(buffer: body).contains(#""stream":true"#) else {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: Self.json)))
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    for event in Self.openAIStream {
                        try await writer.write(ByteBuffer(string: "data: \(event)\n\n"))
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    try await writer.finish(nil)
                }
            )
        }
        // An agent's model: every answer calls the tool `read_file` (call id `call_{run}_{n}` for a request of
        // `n` messages, `run` the first user message), with usage of 100 × n prompt tokens and 10 completion
        // tokens, and a final answer once the request holds 59 messages or more.
        router.on("/agent/v1/chat/completions", method: .post) { request, _ in
            self.remember(request)
            let body = try await request.body.collect(upTo: 8 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
            let messages = json["messages"] as? [[String: Any]] ?? []
            let n = messages.count
            let run = messages.first { $0["role"] as? String == "user" }?["content"] as? String ?? "run"
            let message =
                n >= 59
                ? #"{"role":"assistant","content":"All \#(n) files read."}"#
                : #"{"role":"assistant","content":null,"tool_calls":[{"id":"call_\#(run)_\#(n)","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"f\#(n).txt\"}"}}]}"#
            let answer =
                #"{"id":"chatcmpl-a\#(n)","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":\#(message),"finish_reason":"\#(n >= 59 ? "stop" : "tool_calls")"}],"usage":{"prompt_tokens":\#(100 * n),"completion_tokens":10,"total_tokens":\#(100 * n + 10)}}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        // A slow OpenAI chat stream: `n` events of 8 characters each (``slowWord(_:)``), `delay` ms apart,
        // whose chunks name the dated model.
        router.on("/slow/v1/chat/completions", method: .post) { request, _ in
            let n = request.uri.queryParameters.get("n", as: Int.self) ?? 80
            let delay = request.uri.queryParameters.get("delay", as: Int.self) ?? 100
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    for i in 0..<n {
                        if i > 0 { try await Task.sleep(for: .milliseconds(delay)) }
                        let chunk =
                            #"{"id":"s1","object":"chat.completion.chunk","model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"\#(Self.slowWord(i))"}}]}"#
                        try await writer.write(ByteBuffer(string: "data: \(chunk)\n\n"))
                    }
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    try await writer.finish(nil)
                }
            )
        }
        router.on("/v1/messages", method: .post) { request, _ in
            self.remember(request)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    for (name, data) in Self.anthropicStream {
                        try await writer.write(ByteBuffer(string: "event: \(name)\ndata: \(data)\n\n"))
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    try await writer.finish(nil)
                }
            )
        }
        // Azure OpenAI: deployment `gpt-4o` is over its rate limit (429); any other answers `n: 2` choices with no `model`.
        router.on("/openai/deployments/:name/chat/completions", method: .post) { request, context in
            self.remember(request)
            _ = try await request.body.collect(upTo: 1 << 20)
            if context.parameters.get("name") == "gpt-4o" {
                return Response(
                    status: .tooManyRequests,
                    headers: [.contentType: "application/json", .retryAfter: "6"],
                    body: .init(byteBuffer: ByteBuffer(string: Self.azureRateLimit))
                )
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: Self.azureTwoChoices))
            )
        }
        router.on("/echo", method: .post) { request, _ in
            self.remember(request)
            let headers: HTTPFields = [.contentType: request.headers[.contentType] ?? "application/octet-stream"]
            return Response(status: .ok, headers: headers, body: .init(asyncSequence: request.body))
        }
        router.get("/bytes") { request, _ in
            let n = request.uri.queryParameters.get("n", as: Int.self) ?? 1024
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream"],
                body: .init(byteBuffer: ByteBuffer(bytes: Self.bytes(n)))
            )
        }
        router.get("/sse") { request, _ in
            let n = request.uri.queryParameters.get("n", as: Int.self) ?? 5
            let delay = request.uri.queryParameters.get("delay", as: Int.self) ?? 20
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    for i in 0..<n {
                        try await writer.write(ByteBuffer(string: Self.sseEvent(i)))
                        try await Task.sleep(for: .milliseconds(delay))
                    }
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    try await writer.finish(nil)
                }
            )
        }
        // An OpenAI-shaped stream that holds its second half back until the gate opens.
        router.on("/gated/v1/chat/completions", method: .post) { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    for event in Self.openAIStream.prefix(3) {
                        try await writer.write(ByteBuffer(string: "data: \(event)\n\n"))
                    }
                    try await self.waitForGate()
                    for event in Self.openAIStream.dropFirst(3) {
                        try await writer.write(ByteBuffer(string: "data: \(event)\n\n"))
                    }
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    try await writer.finish(nil)
                }
            )
        }
        // Event 0, then (once the gate opens) events 1..<n (n = 2 by default, 5 ms apart when more), then [DONE].
        router.get("/gated-sse") { request, _ in
            let n = max(2, request.uri.queryParameters.get("n", as: Int.self) ?? 2)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    try await writer.write(ByteBuffer(string: Self.sseEvent(0)))
                    try await self.waitForGate()
                    for i in 1..<n {
                        try await writer.write(ByteBuffer(string: Self.sseEvent(i)))
                        if n > 2 { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    try await writer.finish(nil)
                }
            )
        }
        router.get("/ndjson") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/x-ndjson"],
                body: .init { writer in
                    for i in 0..<3 {
                        try await writer.write(
                            ByteBuffer(string: #"{"model":"llama3","message":{"role":"assistant","content":"w\#(i) "},"done":false}"# + "\n")
                        )
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    try await writer.write(ByteBuffer(string: #"{"model":"llama3","done":true,"prompt_eval_count":5,"eval_count":3}"# + "\n"))
                    try await writer.finish(nil)
                }
            )
        }
        router.get("/gzip") { _, _ in
            var plain = ByteBuffer(string: Self.json)
            let compressed = try plain.compress(with: .gzip())
            return Response(status: .ok, headers: [.contentType: "application/json", .contentEncoding: "gzip"], body: .init(byteBuffer: compressed))
        }
        router.get("/status/:code") { _, context in
            let code = context.parameters.get("code", as: Int.self) ?? 500
            return Response(
                status: .init(code: code),
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"type":"rate_limit_error","message":"slow down"}}"#))
            )
        }
        router.get("/die") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    try await writer.write(ByteBuffer(string: Self.sseEvent(0)))
                    try await Task.sleep(for: .milliseconds(50))
                    throw CancellationError()  // the connection is closed mid-stream
                }
            )
        }
        router.get("/endless") { _, _ in
            self.state.withLock { $0.endlessStarted = true }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: .init { writer in
                    var i = 0
                    do {
                        while i < 2000 {
                            try await writer.write(ByteBuffer(string: Self.sseEvent(i)))
                            try await Task.sleep(for: .milliseconds(10))
                            i += 1
                        }
                    } catch {
                        self.state.withLock { $0.endlessCancelled = true }
                        throw error
                    }
                    try await writer.finish(nil)
                }
            )
        }
    }

    private func remember(_ request: Request) {
        var headers: [String: String] = [:]
        for f in request.headers { headers[f.name.canonicalName] = f.value }
        headers["host"] = request.head.authority
        state.withLock { $0.lastHeaders = headers }
    }
}
