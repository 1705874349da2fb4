import Analysis
// Store generator: fills a SQLite store with realistic records through the real `SQLiteStore.save`
// path, in batches, and prints the rate.
//
//   swift run -c release --package-path bench store-gen --db PATH|URL [--records 1000000] [--days 7] [--batch 1000] [--seed 42]
//
// `--db` takes what `llmtrace serve --db` takes: a SQLite file, or a `postgres://` / `mysql://` URL.
//
// Records are spread over the last `days` days (ending now) with a daily rhythm (busy afternoons,
// quiet nights, quieter weekends), across providers, models, environments, status codes and streams;
// token counts are drawn from skewed distributions, costs come from the bundled price table, and
// request and response bodies have realistic sizes (a system prompt and a user message; a JSON
// answer, or an SSE stream for streamed responses). Tool calls appear on some requests.
import Foundation
import LLMTraceModel
import Server

struct Options {
    var db = ""
    var records = 1_000_000
    var days = 7.0
    var batch = 1000
    var seed: UInt64 = 42
    /// Empty the store first (a database server keeps what an earlier run wrote).
    var clear = false

    init(_ args: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--db": db = value()
            case "--records": records = Int(value()) ?? { fail("--records needs a whole number") }()
            case "--days": days = Double(value()) ?? { fail("--days needs a number") }()
            case "--batch": batch = max(1, Int(value()) ?? { fail("--batch needs a whole number") }())
            case "--clear": clear = true
            case "--seed": seed = UInt64(value()) ?? { fail("--seed needs a whole number") }()
            case "-h", "--help":
                print("usage: store-gen --db PATH|URL [--records 1000000] [--days 7] [--batch 1000] [--seed 42] [--clear]")
                exit(0)
            default: fail("unknown argument \(args[i])")
            }
            i += 1
        }
        if db.isEmpty { fail("--db PATH is required") }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("store-gen: \(message)\n".utf8))
    exit(2)
}

/// SplitMix64: fast, seedable, good enough for synthetic data.
struct RNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Log-normal with the given median and spread (sigma of the underlying normal).
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        let u1 = max(unit(), 1e-12)
        let u2 = unit()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        return median * exp(sigma * z)
    }
    mutating func pick<T>(_ weighted: [(T, Double)]) -> T {
        let total = weighted.reduce(0) { $0 + $1.1 }
        var x = unit() * total
        for (v, w) in weighted {
            x -= w
            if x < 0 { return v }
        }
        return weighted[weighted.count - 1].0
    }
}

struct ModelProfile {
    var provider: String
    var host: String
    var path: String
    var endpoint: String
    var model: String
    /// Milliseconds per generated token, and to first token.
    var msPerToken: Double
    var ttftMs: Double
}

let profiles: [(ModelProfile, Double)] = [
    (
        ModelProfile(
            provider: "openai",
            host: "api.openai.com",
            path: "/v1/chat/completions",
            endpoint: "chat.completions",
            model: "gpt-4o-2024-08-06",
            msPerToken: 12,
            ttftMs: 450
        ), 22
    ),
    (
        ModelProfile(
            provider: "openai",
            host: "api.openai.com",
            path: "/v1/chat/completions",
            endpoint: "chat.completions",
            model: "gpt-4o-mini-2024-07-18",
            msPerToken: 7,
            ttftMs: 300
        ), 25
    ),
    (
        ModelProfile(
            provider: "openai",
            host: "api.openai.com",
            path: "/v1/responses",
            endpoint: "responses",
            model: "gpt-4.1-2025-04-14",
            msPerToken: 11,
            ttftMs: 500
        ), 8
    ),
    (
        ModelProfile(
            provider: "openai",
            host: "api.openai.com",
            path: "/v1/chat/completions",
            endpoint: "chat.completions",
            model: "o3-mini",
            msPerToken: 9,
            ttftMs: 2500
        ), 4
    ),
    (
        ModelProfile(
            provider: "anthropic",
            host: "api.anthropic.com",
            path: "/v1/messages",
            endpoint: "messages",
            model: "claude-sonnet-4-5-20250929",
            msPerToken: 14,
            ttftMs: 700
        ), 18
    ),
    (
        ModelProfile(
            provider: "anthropic",
            host: "api.anthropic.com",
            path: "/v1/messages",
            endpoint: "messages",
            model: "claude-opus-4-5-20251101",
            msPerToken: 22,
            ttftMs: 1100
        ), 4
    ),
    (
        ModelProfile(
            provider: "gemini",
            host: "generativelanguage.googleapis.com",
            path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
            endpoint: "generateContent",
            model: "gemini-2.5-flash",
            msPerToken: 5,
            ttftMs: 400
        ), 10
    ),
    (
        ModelProfile(
            provider: "gemini",
            host: "generativelanguage.googleapis.com",
            path: "/v1beta/models/gemini-2.5-pro:generateContent",
            endpoint: "generateContent",
            model: "gemini-2.5-pro",
            msPerToken: 13,
            ttftMs: 1500
        ), 3
    ),
    // Unpriced: local models.
    (
        ModelProfile(
            provider: "ollama",
            host: "127.0.0.1:11434",
            path: "/api/chat",
            endpoint: "chat",
            model: "llama3.1:8b",
            msPerToken: 25,
            ttftMs: 200
        ), 5
    ),
    (
        ModelProfile(
            provider: "ollama",
            host: "127.0.0.1:11434",
            path: "/api/chat",
            endpoint: "chat",
            model: "qwen2.5-coder:7b",
            msPerToken: 28,
            ttftMs: 250
        ), 1
    ),
]
let envs: [(String, Double)] = [("prod", 55), ("staging", 15), ("dev", 20), ("ci", 10)]
let statuses: [(Int, Double)] = [(200, 95.2), (429, 1.8), (400, 0.8), (401, 0.2), (500, 0.8), (502, 0.5), (503, 0.4), (529, 0.3)]
let tools = ["get_weather", "search_docs", "run_sql", "read_file", "create_ticket"]
let words = """
    the a of to and in is it you that for on with as are this be at or have from by not but what all were \
    when we there can an your which their said if do will each about how up out them then she many some so \
    these would other into has more her two like him see time could no make than first been its who now \
    people my made over did down only way find use may water long little very after words called just where \
    most know get through back much go good new write our me man too any day same right look think also \
    around another came come work three word must because does part even place well such here take why help \
    function error request response token model stream cache latency deploy service customer invoice order \
    summary report query database table index migration retry timeout budget analysis document context
    """.split(separator: " ").map(String.init)

/// A large block of pseudo-English that bodies slice from, so generating text costs almost nothing.
func makeCorpus(_ rng: inout RNG, characters: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(characters + 16)
    var sentence = 0
    while out.count < characters {
        let w = words[Int(rng.next() % UInt64(words.count))]
        out.append(contentsOf: w.utf8)
        sentence += 1
        if sentence > 8 && rng.next() % 6 == 0 {
            out.append(contentsOf: ". ".utf8)
            sentence = 0
        } else {
            out.append(0x20)
        }
    }
    return out
}

func slice(_ corpus: [UInt8], _ rng: inout RNG, length: Int) -> String {
    let n = max(1, min(length, corpus.count - 1))
    let start = Int(rng.next() % UInt64(corpus.count - n))
    return String(decoding: corpus[start..<(start + n)], as: UTF8.self)
}

func jsonString(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out + "\""
}

/// Start times: `count` times over `[start, end)`, following a daily rhythm, sorted.
func startTimes(count: Int, start: Double, end: Double, rng: inout RNG) -> [Double] {
    let minutes = max(1, Int((end - start) / 60))
    var weights = [Double](repeating: 0, count: minutes)
    for m in 0..<minutes {
        let t = start + Double(m) * 60
        let hour = (t.truncatingRemainder(dividingBy: 86400)) / 3600
        let weekday = Int((t / 86400).rounded(.down) + 4) % 7  // 0 = Sunday (1970-01-01 was a Thursday)
        // Busy at 14:00 UTC, quiet at 02:00; weekends at 35 %; a little noise.
        var w = 0.25 + 0.75 * (0.5 + 0.5 * cos((hour - 14) / 24 * 2 * .pi))
        if weekday == 0 || weekday == 6 { w *= 0.35 }
        weights[m] = w * (0.85 + 0.3 * rng.unit())
    }
    let total = weights.reduce(0, +)
    var times: [Double] = []
    times.reserveCapacity(count)
    var carry = 0.0
    for m in 0..<minutes {
        let exact = Double(count) * weights[m] / total + carry
        let n = Int(exact.rounded(.down))
        carry = exact - Double(n)
        for _ in 0..<n { times.append(start + (Double(m) + rng.unit()) * 60) }
    }
    while times.count < count { times.append(start + rng.unit() * (end - start)) }
    times.sort()
    return times
}

func makeRecord(index: Int, at time: Double, rng: inout RNG, corpus: [UInt8], prices: PriceTable) -> TraceRecord {
    let p = rng.pick(profiles)
    let env = rng.pick(envs)
    let status = rng.pick(statuses)
    let stream = rng.unit() < 0.6
    let millis = UInt64(time * 1000)
    let id = String(format: "%012llx-%08x", millis, UInt32(truncatingIfNeeded: index))
    var s = TraceSummary(
        id: id,
        env: env,
        method: "POST",
        scheme: p.provider == "ollama" ? "http" : "https",
        host: p.host,
        path: p.path,
        query: p.provider == "gemini" && stream ? "alt=sse" : nil,
        provider: p.provider,
        endpoint: p.endpoint,
        model: p.model,
        stream: stream,
        status: status,
        startedAt: Date(timeIntervalSince1970: Double(millis) / 1000)
    )
    let promptChars = Int(min(24_000, rng.logNormal(median: 500, sigma: 0.8)))
    let systemChars = Int(rng.unit() * 200) + 40
    let system = slice(corpus, &rng, length: systemChars)
    let user = slice(corpus, &rng, length: promptChars)
    let requestBody =
        "{\"model\":\(jsonString(p.model)),\"stream\":\(stream),\"messages\":[{\"role\":\"system\",\"content\":\(jsonString(system))},{\"role\":\"user\",\"content\":\(jsonString(user))}]}"
    let inputTokens = (systemChars + promptChars) / 4 + Int(rng.logNormal(median: 300, sigma: 1.2))
    let ok = status < 400
    if ok {
        let outputTokens = max(1, Int(min(8000, rng.logNormal(median: 180, sigma: 1.0))))
        let cached = rng.unit() < 0.3 ? Int(Double(inputTokens) * rng.unit() * 0.8) : nil
        s.usage = Usage(inputTokens: inputTokens, outputTokens: outputTokens, cachedInputTokens: cached, totalTokens: inputTokens + outputTokens)
        s.estimatedCost = prices.cost(model: p.model, provider: p.provider, usage: s.usage)
        let ttft = p.ttftMs * rng.logNormal(median: 1, sigma: 0.5)
        s.ttftMs = (ttft * 10).rounded() / 10
        s.durationMs = ((ttft + Double(outputTokens) * p.msPerToken * rng.logNormal(median: 1, sigma: 0.3)) * 10).rounded() / 10
        let answer = slice(corpus, &rng, length: min(3000, outputTokens * 3))
        if rng.unit() < 0.12 {
            let name = tools[Int(rng.next() % UInt64(tools.count))]
            s.toolCalls = [ToolCall(id: "call_\(index)", name: name, arguments: "{\"query\":\(jsonString(slice(corpus, &rng, length: 40)))}")]
            s.finishReason = p.provider == "anthropic" ? "tool_use" : "tool_calls"
            s.text = rng.unit() < 0.5 ? nil : answer.prefix(120).description
        } else {
            s.text = answer
            s.finishReason = p.provider == "anthropic" ? "end_turn" : "stop"
        }
        s.complete = rng.unit() > 0.003
    } else {
        s.error = TraceError(
            type: status == 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error",
            message: status == 429 ? "Rate limit reached for requests" : "The server had an error while processing your request"
        )
        s.durationMs = (rng.logNormal(median: 180, sigma: 0.8) * 10).rounded() / 10
        s.complete = true
    }
    let responseBody: String
    if !ok {
        responseBody = "{\"error\":{\"type\":\(jsonString(s.error?.type ?? "")),\"message\":\(jsonString(s.error?.message ?? ""))}}"
    } else if stream {
        var out = ""
        let text = s.text ?? ""
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(i, offsetBy: 120, limitedBy: text.endIndex) ?? text.endIndex
            out +=
                "data: {\"object\":\"chat.completion.chunk\",\"model\":\"\(p.model)\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\(jsonString(String(text[i..<j])))}}]}\n\n"
            i = j
        }
        out += "data: {\"usage\":{\"prompt_tokens\":\(inputTokens),\"completion_tokens\":\(s.usage.outputTokens ?? 0)}}\n\ndata: [DONE]\n\n"
        responseBody = out
    } else {
        responseBody =
            "{\"model\":\"\(p.model)\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\(jsonString(s.text ?? ""))},\"finish_reason\":\"\(s.finishReason ?? "stop")\"}],\"usage\":{\"prompt_tokens\":\(inputTokens),\"completion_tokens\":\(s.usage.outputTokens ?? 0)}}"
    }
    let reqBytes = Array(requestBody.utf8)
    let respBytes = Array(responseBody.utf8)
    return TraceRecord(
        summary: s,
        requestHeaders: [
            HeaderField(name: "content-type", value: "application/json"), HeaderField(name: "authorization", value: "<redacted:…x9Qa>"),
            HeaderField(name: "user-agent", value: "OpenAI/Python 1.54.0"),
        ],
        responseHeaders: [
            HeaderField(name: "content-type", value: stream ? "text/event-stream" : "application/json"),
            HeaderField(name: "x-request-id", value: "req_\(id)"),
        ],
        requestBody: CapturedBody(bytes: reqBytes, size: reqBytes.count, truncated: false),
        responseBody: CapturedBody(bytes: respBytes, size: respBytes.count, truncated: false)
    )
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
var rng = RNG(state: options.seed)
let corpus = makeCorpus(&rng, characters: 1 << 20)
let prices = PriceTable.bundled
let end = Date().timeIntervalSince1970
let times = startTimes(count: options.records, start: end - options.days * 86400, end: end, rng: &rng)

var configuration = ServerConfiguration()
configuration.database = options.db
let store: any TraceStore
do { store = try await LLMTraceServer.openStore(configuration) } catch { fail("\(error)") }
if options.clear {
    do { try await store.clear() } catch { fail("cannot clear \(store.description): \(error)") }
}
let clock = ContinuousClock()
let started = clock.now
var lastReport = started
var written = 0
while written < options.records {
    let n = min(options.batch, options.records - written)
    var batch: [TraceRecord] = []
    batch.reserveCapacity(n)
    for i in written..<(written + n) {
        batch.append(makeRecord(index: i, at: times[i], rng: &rng, corpus: corpus, prices: prices))
    }
    do { try await store.save(batch) } catch { fail("save failed: \(error)") }
    written += n
    if clock.now - lastReport > .seconds(5) || written == options.records {
        lastReport = clock.now
        let seconds = Double((clock.now - started).components.seconds) + Double((clock.now - started).components.attoseconds) / 1e18
        print(String(format: "%9d records  %8.0f records/s", written, Double(written) / max(seconds, 1e-9)))
    }
}
try await store.close()
let elapsed = clock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let rate = String(format: "wrote %d records in %.1f s: %.0f records/s (including generation)", written, seconds, Double(written) / seconds)
if let size = (try? FileManager.default.attributesOfItem(atPath: options.db)[.size]) as? Int {
    print(rate + "; \(options.db) is " + String(format: "%.1f MiB", Double(size) / 1_048_576))
} else {
    // A database server: its description, which never shows the password.
    print(rate + " into " + store.description)
}
