import Analysis
// Decoder benchmark: SSE bytes per second through decode + extract (StreamAccumulator) on one core,
// beside a plain byte-scan loop over the same buffer as the reference, in the same run; then the analysis
// of a whole (non-streamed) answer, with the fast JSON reader and with Foundation's JSONSerialization alone.
//
//   swift run -c release --package-path bench decoder-bench [megabytes-per-shape]
import Foundation
import LLMTraceModel
import Server

func openAIStream(targetBytes: Int) -> [UInt8] {
    var out = ""
    var i = 0
    let words = ["The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".", " Données", " 日本", " émoji 🎉"]
    while out.utf8.count < targetBytes {
        let w = words[i % words.count]
        out +=
            #"data: {"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1732880000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_abc","choices":[{"index":0,"delta":{"content":"\#(w)"},"logprobs":null,"finish_reason":null}]}"#
            + "\n\n"
        i += 1
    }
    out +=
        #"data: {"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1732880000,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":\#(i),"total_tokens":\#(i + 10)}}"#
        + "\n\ndata: [DONE]\n\n"
    return Array(out.utf8)
}

func anthropicStream(targetBytes: Int) -> [UInt8] {
    var out =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
    out += "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    var i = 0
    while out.utf8.count < targetBytes {
        out +=
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" word\(i % 97)\"}}\n\n"
        i += 1
    }
    out += "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    out +=
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":\(i)}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
    return Array(out.utf8)
}

let route = { (path: String) in
    (try? ProxyRoute.parse("/proxy/bench/https/api.example.com\(path)"))
        ?? ProxyRoute(env: "bench", scheme: "https", host: "api.example.com", port: nil, path: path, query: nil)
}
let sseHeaders = [HeaderField(name: "content-type", value: "text/event-stream")]

/// Feeds `bytes` to a fresh accumulator in 16 KiB pieces, as the proxy would; returns the text length.
@inline(never)
func decodeAndExtract(_ bytes: [UInt8], path: String, body: String) -> Int {
    var acc = StreamAccumulator(
        method: "POST",
        route: route(path),
        requestHeaders: [],
        requestBody: Array(body.utf8),
        status: 200,
        responseHeaders: sseHeaders
    )
    var textBytes = 0
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + 16 * 1024, bytes.count)
        textBytes += acc.feed(bytes[offset..<end]).utf8.count
        offset = end
    }
    let result = acc.finish()
    precondition(result.complete && result.usage.outputTokens != nil, "benchmark stream was not understood")
    return textBytes
}

/// The reference: one pass over the bytes that looks at every byte (counts line feeds).
@inline(never)
func byteScan(_ bytes: [UInt8]) -> Int {
    var lines = 0
    bytes.withUnsafeBufferPointer { p in
        for b in p where b == 0x0A { lines &+= 1 }
    }
    return lines
}

func measure(_ bytes: Int, repeats: Int, _ body: () -> Int) -> (mbps: Double, sink: Int) {
    var best = Double.infinity
    var sink = 0
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        sink &+= body()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = min(best, seconds)
    }
    return (Double(bytes) / best / 1e6, sink)
}

let megabytes = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 32
print("llmtrace decoder benchmark: \(megabytes) MB per shape, best of 5, one core")
print("shape       decode+extract MB/s   byte-scan MB/s   ratio")
for (name, bytes, path, body) in [
    ("openai", openAIStream(targetBytes: megabytes << 20), "/v1/chat/completions", #"{"model":"gpt-4o","stream":true}"#),
    ("anthropic", anthropicStream(targetBytes: megabytes << 20), "/v1/messages", #"{"model":"claude-sonnet-4-5","stream":true}"#),
] {
    let extract = measure(bytes.count, repeats: 5) { decodeAndExtract(bytes, path: path, body: body) }
    let scan = measure(bytes.count, repeats: 5) { byteScan(bytes) }
    print(String(format: "%-10@  %19.0f   %14.0f   %5.1fx", name as NSString, extract.mbps, scan.mbps, scan.mbps / extract.mbps))
}

/// A non-streamed chat completion, as bench-upstream answers loadgen's json workload.
let completionBody = Array(
    #"{"id":"chatcmpl-bench","object":"chat.completion","created":1764400000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"The quick brown fox jumps over the lazy dog. It was a bright cold day in April, and the clocks were striking thirteen.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":27,"total_tokens":69,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_bench"}"#
        .utf8
)
let jsonHeaders = [HeaderField(name: "content-type", value: "application/json")]

/// Analyses the whole answer `count` times; returns a checksum of the output token counts.
@inline(never)
func analyzeBodies(_ count: Int, fastJSON: Bool) -> Int {
    var sum = 0
    let chatRoute = route("/v1/chat/completions")  // the proxy parses the route once, before the answer
    for _ in 0..<count {
        var acc = StreamAccumulator(
            method: "POST",
            route: chatRoute,
            requestHeaders: [],
            requestBody: Array(#"{"model":"gpt-4o-mini"}"#.utf8),
            status: 200,
            responseHeaders: jsonHeaders
        )
        acc.usesFastJSON = fastJSON
        _ = acc.feed(completionBody)
        let result = acc.finish()
        precondition(result.complete && result.usage.outputTokens == 27, "benchmark body was not understood")
        sum &+= result.usage.outputTokens ?? 0
    }
    return sum
}

let bodies = 20_000
print("\nwhole answer (\(completionBody.count) bytes), \(bodies) analyses, best of 5")
print("JSON reader                    µs per answer")
for (name, fast) in [("JSONValueParser (default)", true), ("JSONSerialization only", false)] {
    let rate = measure(bodies, repeats: 5) { analyzeBodies(bodies, fastJSON: fast) }
    print(String(format: "%-29@  %12.2f", name as NSString, 1 / rate.mbps))
}

// Sessions: a 200 KB agent conversation diffed against its previous turn (the API's /diff), and put in
// its session (what capture does for every chat request), with a JSON parse of the same body as the
// reference.
func conversationBody(targetBytes: Int, extraTurn: Bool) -> [UInt8] {
    let paragraph = String(repeating: "The build failed in step 7; the log says the cache key changed. ", count: 12)
    var messages: [[String: Any]] = [["role": "system", "content": "You are a coding agent. " + paragraph]]
    var n = 0
    while (try? JSONSerialization.data(withJSONObject: ["messages": messages]))?.count ?? 0 < targetBytes {
        n += 1
        messages.append([
            "role": "assistant", "content": NSNull(),
            "tool_calls": [["id": "call_\(n)", "type": "function", "function": ["name": "read_file", "arguments": "{\"path\":\"f\(n).txt\"}"]]],
        ])
        messages.append(["role": "tool", "tool_call_id": "call_\(n)", "content": "\(n): " + paragraph])
    }
    if extraTurn { messages.append(["role": "user", "content": "and now?"]) }
    let data = (try? JSONSerialization.data(withJSONObject: ["model": "gpt-4o", "temperature": 0.2, "messages": messages])) ?? Data()
    return Array(data)
}

let previousTurn = conversationBody(targetBytes: 200_000, extraTurn: false)
let nextTurn = conversationBody(targetBytes: 200_000, extraTurn: true)
print("\n\(nextTurn.count / 1000) KB conversation, best of 5 × 20")
print("operation                                   ms")
func row(_ name: String, _ ms: Double) {
    print(name.padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: "%9.3f", ms))
}
let diffRate = measure(20, repeats: 5) {
    var sink = 0
    for _ in 0..<20 { sink &+= TurnDiffer.diff(id: "b", current: nextTurn, previousId: "a", previous: previousTurn).added.count }
    return sink
}
row("turn diff (both bodies)", 1000 / (diffRate.mbps * 1e6))
let tracker = SessionTracker()
let assignRate = measure(20, repeats: 5) {
    var sink = 0
    for i in 0..<20 { sink &+= tracker.assign(recordID: "r\(i)", env: "dev", named: nil, body: nextTurn)?.turn ?? 0 }
    return sink
}
row("session assignment", 1000 / (assignRate.mbps * 1e6))
let parseRate = measure(20, repeats: 5) {
    var sink = 0
    for _ in 0..<20 { sink &+= ((try? JSONSerialization.jsonObject(with: Data(nextTurn))) as? [String: Any])?.count ?? 0 }
    return sink
}
row("reference: JSONSerialization parse", 1000 / (parseRate.mbps * 1e6))

// Metrics: what recording one finished exchange in the Prometheus registry costs (ExchangeMetrics, told
// about every exchange on the forwarding path), over a few label sets as real traffic has.
let metrics = ExchangeMetrics(prices: .bundled)
let observed: [TraceRecord] = (0..<64).map { i in
    var s = TraceSummary(
        id: "r\(i)",
        env: ["dev", "prod", "ci"][i % 3],
        method: "POST",
        scheme: "https",
        host: "api.openai.com",
        path: "/v1/chat/completions",
        provider: "openai",
        model: ["gpt-4o", "gpt-4o-mini", "o3-mini", "gpt-4.1"][i % 4],
        status: i % 10 == 0 ? 429 : 200,
        startedAt: Date()
    )
    s.usage = Usage(inputTokens: 1200 + i, outputTokens: 80, cachedInputTokens: 512, totalTokens: 1280 + i)
    s.estimatedCost = 0.0031
    s.durationMs = 640 + Double(i)
    s.ttftMs = 210
    s.complete = true
    return TraceRecord(summary: s)
}
let observations = 200_000
let metricsRate = measure(observations, repeats: 5) {
    for i in 0..<observations { metrics.exchangeFinished(observed[i & 63], timing: ExchangeTiming(overhead: .microseconds(90))) }
    return observations
}
print("\nmetrics: \(observations) exchanges recorded, best of 5")
row("µs per exchange", 1 / metricsRate.mbps)
