import Analysis
import Foundation
import Testing

@testable import LLMTraceModel
@testable import Server

/// Label folding, the cardinality cap and the values `/metrics` exposes.
@Suite struct ExchangeMetricsTests {
    static func record(
        env: String = "dev",
        model: String? = "gpt-4o",
        provider: String? = "openai",
        status: Int? = 200,
        usage: Usage = Usage(inputTokens: 10, outputTokens: 5),
        cost: Double? = nil,
        durationMs: Double? = 1500,
        ttftMs: Double? = 300,
        error: TraceError? = nil
    ) -> TraceRecord {
        var s = TraceSummary(
            id: UUID().uuidString,
            env: env,
            method: "POST",
            scheme: "https",
            host: "api.openai.com",
            path: "/v1/chat/completions",
            startedAt: Date()
        )
        s.model = model
        s.provider = provider
        s.status = status
        s.usage = usage
        s.estimatedCost = cost
        s.durationMs = durationMs
        s.ttftMs = ttftMs
        s.error = error
        s.complete = true
        return TraceRecord(summary: s)
    }

    static func text(_ metrics: ExchangeMetrics, health: CapturePipeline.Health? = nil, subscribers: Int = 0) -> String {
        String(decoding: metrics.exposition(health: health ?? Self.health(), subscriberCount: subscribers), as: UTF8.self)
    }

    static func health(pending: Int = 0, dropped: Int = 0, storeFailures: Int = 0, shed: Int = 0) -> CapturePipeline.Health {
        CapturePipeline.Health(
            saved: 0,
            dropped: dropped,
            storeFailures: storeFailures,
            storeRetries: 0,
            storeFailing: false,
            bodiesShed: shed,
            pending: pending,
            pendingBytes: 0,
            inFlight: 0
        )
    }

    /// The value of the sample line that starts with `prefix` (name and labels), if there is one.
    static func value(_ text: String, _ prefix: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(prefix + " ") {
            return Double(line.dropFirst(prefix.count + 1))
        }
        return nil
    }

    @Test func unknownModelsAndProvidersFoldIntoOther() {
        var folder = MetricLabelFolder(prices: .bundled)
        #expect(folder.fold(model: "gpt-4o", provider: "openai") == "gpt-4o")
        #expect(folder.fold(model: "claude-sonnet-4-5", provider: "anthropic") == "claude-sonnet-4-5")
        #expect(folder.fold(model: "definitely-not-a-model-\(UUID())", provider: "openai") == "other")
        #expect(folder.fold(model: nil, provider: "openai") == "unknown")
        #expect(folder.fold(model: "", provider: nil) == "unknown")
        #expect(folder.fold(model: String(repeating: "gpt-4o", count: 40), provider: "openai") == "other")
        #expect(MetricLabelFolder.fold(provider: "anthropic") == "anthropic")
        #expect(MetricLabelFolder.fold(provider: "made-up") == "other")
        #expect(MetricLabelFolder.fold(provider: nil) == "unknown")
        #expect(ExchangeLabels.statusClass(204) == "2xx")
        #expect(ExchangeLabels.statusClass(429) == "4xx")
        #expect(ExchangeLabels.statusClass(503) == "5xx")
        #expect(ExchangeLabels.statusClass(nil) == "error")
    }

    @Test func theCapFoldsFurtherModelsAndEnvironments() {
        var folder = MetricLabelFolder(prices: .bundled, maxModels: 2, maxEnvironments: 2)
        #expect(folder.fold(model: "gpt-4o", provider: "openai") == "gpt-4o")
        #expect(folder.fold(model: "gpt-4o-mini", provider: "openai") == "gpt-4o-mini")
        #expect(folder.fold(model: "gpt-4.1", provider: "openai") == "other")
        // Models labelled before the cap keep their label.
        #expect(folder.fold(model: "gpt-4o", provider: "openai") == "gpt-4o")
        #expect(folder.fold(env: "a") == "a")
        #expect(folder.fold(env: "b") == "b")
        #expect(folder.fold(env: "c") == "other")
        #expect(folder.fold(env: "a") == "a")
    }

    @Test func seriesStayBoundedUnderManyNames() {
        let metrics = ExchangeMetrics(prices: .bundled, maxModels: 5, maxEnvironments: 3)
        for i in 0..<2_000 {
            metrics.exchangeFinished(Self.record(env: "env\(i % 50)", model: "model-\(i)", status: [200, 429, 500][i % 3]))
        }
        // 4 environment values (3 + other) × 1 model (other) × 1 provider × 3 status classes.
        #expect(metrics.seriesCount == 4 * 3)
        let text = Self.text(metrics)
        #expect(Self.value(text, #"llmtrace_requests_total{env="other",model="other",provider="openai",status_class="2xx"}"#) != nil)
        #expect(!text.contains("model-1"))
    }

    @Test func exchangesAreCountedWithTheirTokensCostAndTimes() {
        let metrics = ExchangeMetrics(prices: .bundled)
        metrics.exchangeFinished(
            Self.record(usage: Usage(inputTokens: 100, outputTokens: 20, cachedInputTokens: 40, reasoningTokens: 8), cost: 0.25),
            timing: ExchangeTiming(overhead: .microseconds(150))
        )
        metrics.exchangeFinished(Self.record(usage: Usage(inputTokens: 1, outputTokens: 2), cost: 0.5, durationMs: 30_000, ttftMs: nil))
        metrics.exchangeFinished(Self.record(status: 500, error: TraceError(type: "server_error", message: "boom")))
        let text = Self.text(metrics, health: Self.health(pending: 7, dropped: 2, storeFailures: 1, shed: 4), subscribers: 3)
        let ok = #"env="dev",model="gpt-4o",provider="openai",status_class="2xx""#
        let failed = #"env="dev",model="gpt-4o",provider="openai",status_class="5xx""#
        #expect(Self.value(text, "llmtrace_requests_total{\(ok)}") == 2)
        #expect(Self.value(text, "llmtrace_requests_total{\(failed)}") == 1)
        #expect(Self.value(text, "llmtrace_errors_total{\(failed)}") == 1)
        #expect(Self.value(text, "llmtrace_errors_total{\(ok)}") == 0)
        #expect(Self.value(text, #"llmtrace_tokens_total{\#(ok),type="input"}"#) == 101)
        #expect(Self.value(text, #"llmtrace_tokens_total{\#(ok),type="output"}"#) == 22)
        #expect(Self.value(text, #"llmtrace_tokens_total{\#(ok),type="cached_input"}"#) == 40)
        #expect(Self.value(text, #"llmtrace_tokens_total{\#(ok),type="reasoning"}"#) == 8)
        #expect(Self.value(text, "llmtrace_cost_usd_total{\(ok)}") == 0.75)
        #expect(Self.value(text, "llmtrace_request_duration_seconds_count{\(ok)}") == 2)
        #expect(Self.value(text, "llmtrace_request_duration_seconds_sum{\(ok)}") == 31.5)
        #expect(Self.value(text, #"llmtrace_request_duration_seconds_bucket{\#(ok),le="2.5"}"#) == 1)
        #expect(Self.value(text, "llmtrace_time_to_first_token_seconds_count{\(ok)}") == 1)
        #expect(Self.value(text, "llmtrace_proxy_overhead_seconds_count") == 1)
        #expect(Self.value(text, #"llmtrace_proxy_overhead_seconds_bucket{le="0.00025"}"#) == 1)
        #expect(Self.value(text, #"llmtrace_proxy_overhead_seconds_bucket{le="0.0001"}"#) == 0)
        #expect(Self.value(text, "llmtrace_capture_queue_depth") == 7)
        #expect(Self.value(text, "llmtrace_capture_lost_records_total") == 3)
        #expect(Self.value(text, "llmtrace_capture_shed_bodies_total") == 4)
        #expect(Self.value(text, "llmtrace_live_subscribers") == 3)
        // The pipeline's totals become counter increments: a second scrape adds only what is new.
        let again = Self.text(metrics, health: Self.health(dropped: 5, storeFailures: 1, shed: 4))
        #expect(Self.value(again, "llmtrace_capture_lost_records_total") == 6)
        #expect(Self.value(again, "llmtrace_capture_shed_bodies_total") == 4)
        #expect(Self.value(again, "llmtrace_capture_queue_depth") == 0)
    }

    /// The cost of recording one exchange, printed for the record (the proxy's CPU per call is a goal).
    @Test func recordingAnExchangeIsCheap() {
        let metrics = ExchangeMetrics(prices: .bundled)
        let records = (0..<8).map { Self.record(env: "env\($0 % 2)", model: ["gpt-4o", "gpt-4o-mini"][$0 % 2], status: [200, 429][$0 % 2]) }
        let timing = ExchangeTiming(overhead: .microseconds(80))
        let n = 200_000
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for i in 0..<n { metrics.exchangeFinished(records[i & 7], timing: timing) }
        }
        let perExchange = Double(elapsed.components.attoseconds) / 1e9 / Double(n) + Double(elapsed.components.seconds) * 1e9 / Double(n)
        print("ExchangeMetrics: \(Int(perExchange)) ns per observed exchange (\(n) exchanges)")
        #expect(metrics.seriesCount == 2)
        #expect(perExchange < 50_000)
    }
}
