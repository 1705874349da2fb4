// Capture throughput: how many completed exchanges per second the capture pipeline saves into SQLite
// (or a database server), without loss, with the real CapturePipeline and store (no HTTP: this isolates
// the store side).
//
//   swift run -c release --package-path bench capture-bench [--db URL] [seconds-per-rate] [rate ...]
//
// With `--db postgres://…` (or `mysql://…`) each run writes into that database (PostgreSQL: a schema
// `llmtrace_capture_bench`, emptied first); without it, into a fresh SQLite file per run.
//
// For each offered rate, submits exchanges as the proxy does (a started version, then the completed
// version of each record, ~1 KB of bodies) at that rate for the given seconds, then flushes and checks
// every exchange was saved (none dropped for a full queue, none failed). Then submits as fast as it can
// for the same time to find the ceiling. Prints a markdown table.
import Foundation
import LLMTraceModel
import Logging
import Server
import ServiceLifecycle

func record(_ n: Int, id: String, complete: Bool) -> TraceRecord {
    let started = Date()
    var summary = TraceSummary(
        id: id,
        env: "bench",
        method: "POST",
        scheme: "http",
        host: "127.0.0.1:9",
        path: "/v1/chat/completions",
        provider: "openai",
        endpoint: "chat.completions",
        model: "gpt-4o-mini",
        startedAt: started
    )
    guard complete else { return TraceRecord(summary: summary) }
    summary.status = 200
    summary.durationMs = 1.2
    summary.ttftMs = 1.1
    summary.usage = Usage(inputTokens: 42, outputTokens: 27, totalTokens: 69)
    summary.estimatedCost = 0.0000225
    summary.text = "The quick brown fox jumps over the lazy dog. It was a bright cold day in April. #\(n)"
    summary.finishReason = "stop"
    summary.complete = true
    let request =
        #"{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Tell me a short fact about foxes."}],"max_tokens":64}"#
    let response =
        #"{"id":"chatcmpl-bench","object":"chat.completion","created":1764400000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"The quick brown fox jumps over the lazy dog. It was a bright cold day in April."},"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":27,"total_tokens":69}}"#
    return TraceRecord(
        summary: summary,
        requestHeaders: [
            HeaderField(name: "content-type", value: "application/json"), HeaderField(name: "authorization", value: "[redacted]"),
            HeaderField(name: "user-agent", value: "OpenAI/Python 1.57.0"),
        ],
        responseHeaders: [HeaderField(name: "content-type", value: "application/json")],
        requestBody: CapturedBody(content: request, encoding: .utf8, size: request.utf8.count, truncated: false),
        responseBody: CapturedBody(content: response, encoding: .utf8, size: response.utf8.count, truncated: false)
    )
}

struct Outcome {
    var offered: Int
    var seconds: Double
    var saved: Int
    var dropped: Int
    var failed: Int
    var drainSeconds: Double
}

/// Submits `rate` exchanges per second (or as fast as possible when nil) for `seconds`, then flushes.
func run(rate: Int?, seconds: Double, dir: URL, database: String?) async throws -> Outcome {
    var configuration = ServerConfiguration()
    if let database {
        let isPostgres = database.hasPrefix("postgres")
        configuration.database = database + (isPostgres ? (database.contains("?") ? "&" : "?") + "schema=llmtrace_capture_bench" : "")
    } else {
        configuration.database = dir.appendingPathComponent("capture-\(rate ?? 0).db").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: configuration.database + suffix) }
    }
    let store = try await LLMTraceServer.openStore(configuration, logger: Logger(label: "capture-bench"))
    try await store.clear()
    let pipeline = CapturePipeline(store: store, logger: Logger(label: "capture-bench"))
    let group = ServiceGroup(services: [pipeline], logger: Logger(label: "capture-bench"))
    let writer = Task { try await group.run() }
    let ids = RecordIDGenerator()
    let start = ContinuousClock.now
    let end = start + .seconds(seconds)
    var offered = 0
    // One exchange as the proxy submits it: the started version, then the completed one.
    func submitExchange() {
        let id = ids.next()
        pipeline.submit(record(offered, id: id, complete: false))
        pipeline.submit(record(offered, id: id, complete: true))
        offered += 1
    }
    let tick = Duration.milliseconds(5)
    var next = start
    while ContinuousClock.now < end {
        if let rate {
            // Submit what is due by now, then sleep to the next 5 ms tick.
            let due = Int(Double(rate) * (ContinuousClock.now - start).seconds)
            while offered < due {
                submitExchange()
            }
            next = next + tick
            try await Task.sleep(until: next, clock: .continuous)
        } else {
            for _ in 0..<500 {
                submitExchange()
            }
            await Task.yield()
        }
    }
    let submitted = ContinuousClock.now
    // Graceful shutdown: the writer saves everything pending, then returns.
    await group.triggerGracefulShutdown()
    try await writer.value
    let drained = ContinuousClock.now
    let health = pipeline.health
    let stored = try await store.count()
    try await store.close()
    return Outcome(
        offered: offered,
        seconds: (submitted - start).seconds,
        saved: stored,
        dropped: health.dropped,
        failed: health.storeFailures,
        drainSeconds: (drained - submitted).seconds
    )
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

var arguments = CommandLine.arguments.dropFirst()
var database: String?
if let i = arguments.firstIndex(of: "--db"), arguments.index(after: i) < arguments.endIndex {
    database = arguments[arguments.index(after: i)]
    arguments.removeSubrange(i...arguments.index(after: i))
}
let seconds = arguments.first.flatMap(Double.init) ?? 10
let rates = arguments.dropFirst().compactMap(Int.init)
let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("llmtrace-capture-bench-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }

/// This process's user + system CPU seconds so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let time = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return time(usage.ru_utime) + time(usage.ru_stime)
}

print("| offered | submitted for | exchanges saved | lost | saved per second | drain after | CPU per saved exchange |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for rate in (rates.isEmpty ? [5_000, 10_000] : rates).map(Optional.some) + [nil] {
    let cpuBefore = cpuSeconds()
    let o = try await run(rate: rate, seconds: seconds, dir: dir, database: database)
    let cpu = (cpuSeconds() - cpuBefore) / Double(max(o.saved, 1)) * 1e6
    let label = rate.map { "\($0)/s" } ?? "as fast as possible"
    let perSecond = Double(o.saved) / (o.seconds + o.drainSeconds)
    print(
        "| \(label) | \(String(format: "%.1f", o.seconds)) s | \(o.saved) of \(o.offered) | \(o.offered - o.saved) | \(Int(perSecond)) | \(String(format: "%.2f", o.drainSeconds)) s | \(Int(cpu)) µs |"
    )
}
