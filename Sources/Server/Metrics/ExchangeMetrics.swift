import Analysis
import LLMTraceModel
import Prometheus
import Synchronization

/// The Prometheus metrics of the proxy, served at `/metrics`: exchanges, errors, tokens, cost, duration
/// and time to first token by environment, model, provider and status class; the time llmtrace adds to
/// each exchange; and, read when scraped, the capture queue and the live subscribers.
///
/// Recording an exchange takes one lock and one dictionary lookup: the instruments of a label set are made
/// once and kept (``Series``), keyed by the exchange's raw values, so no label array is built per exchange.
public final class ExchangeMetrics: ExchangeObserver, Sendable {
    /// The instruments of one label set.
    final class Series: Sendable {
        let requests: Counter
        let errors: Counter
        let inputTokens: Counter
        let outputTokens: Counter
        let cachedInputTokens: Counter
        let reasoningTokens: Counter
        let cost: Counter
        let duration: ValueHistogram
        let ttft: ValueHistogram

        init(_ labels: ExchangeLabels, registry: PrometheusCollectorRegistry) {
            let pairs = labels.pairs
            requests = registry.makeCounter(descriptor: Names.requests, labels: pairs)
            errors = registry.makeCounter(descriptor: Names.errors, labels: pairs)
            inputTokens = registry.makeCounter(descriptor: Names.tokens, labels: pairs + [("type", "input")])
            outputTokens = registry.makeCounter(descriptor: Names.tokens, labels: pairs + [("type", "output")])
            cachedInputTokens = registry.makeCounter(descriptor: Names.tokens, labels: pairs + [("type", "cached_input")])
            reasoningTokens = registry.makeCounter(descriptor: Names.tokens, labels: pairs + [("type", "reasoning")])
            cost = registry.makeCounter(descriptor: Names.cost, labels: pairs)
            duration = registry.makeValueHistogram(descriptor: Names.duration, labels: pairs, buckets: Buckets.duration)
            ttft = registry.makeValueHistogram(descriptor: Names.ttft, labels: pairs, buckets: Buckets.ttft)
        }
    }

    /// An exchange's label values as it reported them, before folding: what the series are found by.
    private struct RawKey: Hashable {
        var env: String
        var model: String?
        var provider: String?
        var statusClass: Int
    }

    private struct State {
        var folder: MetricLabelFolder
        var byRaw: [RawKey: Series] = [:]
        var byLabels: [ExchangeLabels: Series] = [:]
        /// Capture counters at the last scrape, to turn the pipeline's totals into counter increments.
        var lost = 0
        var shed = 0
    }

    /// The most raw label combinations remembered; past it, new ones are folded on every exchange.
    static let maxRawKeys = 4_096

    /// Where every series lives; `/metrics` is its text exposition.
    public let registry = PrometheusCollectorRegistry()
    private let state: Mutex<State>
    private let overhead: ValueHistogram
    private let queueDepth: Gauge
    private let inFlight: Gauge
    private let pendingBytes: Gauge
    private let subscribers: Gauge
    private let lost: Counter
    private let shed: Counter

    /// - Parameters:
    ///   - prices: the price table, which says which models are known (others are folded into `other`).
    ///   - maxModels: the most distinct models labelled; further ones are `other`.
    ///   - maxEnvironments: the most distinct environments labelled; further ones are `other`.
    public init(prices: PriceTable, maxModels: Int = 200, maxEnvironments: Int = 100) {
        state = Mutex(State(folder: MetricLabelFolder(prices: prices, maxModels: maxModels, maxEnvironments: maxEnvironments)))
        overhead = registry.makeValueHistogram(descriptor: Names.overhead, buckets: Buckets.overhead)
        queueDepth = registry.makeGauge(descriptor: Names.queueDepth)
        inFlight = registry.makeGauge(descriptor: Names.inFlight)
        pendingBytes = registry.makeGauge(descriptor: Names.pendingBytes)
        subscribers = registry.makeGauge(descriptor: Names.subscribers)
        lost = registry.makeCounter(descriptor: Names.lost)
        shed = registry.makeCounter(descriptor: Names.shed)
    }

    public func exchangeFinished(_ record: TraceRecord, timing: ExchangeTiming = ExchangeTiming()) {
        let s = record.summary
        let series = series(env: s.env, model: s.model, provider: s.provider, status: s.status)
        series.requests.increment()
        if s.isError { series.errors.increment() }
        let usage = s.usage
        if let n = usage.inputTokens, n > 0 { series.inputTokens.increment(by: Int64(n)) }
        if let n = usage.outputTokens, n > 0 { series.outputTokens.increment(by: Int64(n)) }
        if let n = usage.cachedInputTokens, n > 0 { series.cachedInputTokens.increment(by: Int64(n)) }
        if let n = usage.reasoningTokens, n > 0 { series.reasoningTokens.increment(by: Int64(n)) }
        if let cost = s.estimatedCost, cost > 0 { series.cost.increment(by: cost) }
        if let ms = s.durationMs { series.duration.record(ms / 1000) }
        if let ms = s.ttftMs { series.ttft.record(ms / 1000) }
        if let d = timing.overhead { overhead.record(Self.seconds(d)) }
    }

    /// The instruments of an exchange's labels, made on first use.
    func series(env: String, model: String?, provider: String?, status: Int?) -> Series {
        let raw = RawKey(env: env, model: model, provider: provider, statusClass: status.map { $0 / 100 } ?? 0)
        return state.withLock { s in
            if let known = s.byRaw[raw] { return known }
            let labels = s.folder.labels(env: env, model: model, provider: provider, status: status)
            let series = s.byLabels[labels] ?? Series(labels, registry: registry)
            s.byLabels[labels] = series
            if s.byRaw.count < Self.maxRawKeys { s.byRaw[raw] = series }
            return series
        }
    }

    /// The number of label sets with series.
    var seriesCount: Int { state.withLock { $0.byLabels.count } }

    /// The text exposition, with the capture counters of `health` and the number of live `subscriberCount`
    /// read into their series first.
    public func exposition(health: CapturePipeline.Health, subscriberCount: Int) -> [UInt8] {
        queueDepth.set(Int64(health.pending))
        inFlight.set(Int64(health.inFlight))
        pendingBytes.set(Int64(health.pendingBytes))
        subscribers.set(Int64(subscriberCount))
        let totalLost = health.dropped + health.storeFailures
        let (newlyLost, newlyShed) = state.withLock { s in
            defer {
                s.lost = max(s.lost, totalLost)
                s.shed = max(s.shed, health.bodiesShed)
            }
            return (max(0, totalLost - s.lost), max(0, health.bodiesShed - s.shed))
        }
        if newlyLost > 0 { lost.increment(by: Int64(newlyLost)) }
        if newlyShed > 0 { shed.increment(by: Int64(newlyShed)) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 << 10)
        registry.emit(into: &buffer)
        return buffer
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }

    /// Metric names and help texts (made when a series is, not kept: the descriptor is not `Sendable`).
    enum Names {
        static var requests: MetricNameDescriptor { descriptor("requests", unit: "total", "LLM API exchanges that went through the proxy.") }
        static var errors: MetricNameDescriptor {
            descriptor(
                "errors",
                unit: "total",
                "Exchanges that failed: a proxy or provider error, or an HTTP status of 400 or more."
            )
        }
        static var tokens: MetricNameDescriptor {
            descriptor("tokens", unit: "total", "Tokens the provider reported, by type (input, output, cached_input, reasoning).")
        }
        static var cost: MetricNameDescriptor { descriptor("cost_usd", unit: "total", "Estimated cost in US dollars, from the price table.") }
        static var duration: MetricNameDescriptor {
            descriptor("request_duration", unit: "seconds", "From the request's arrival to the last response byte.")
        }
        static var ttft: MetricNameDescriptor {
            descriptor("time_to_first_token", unit: "seconds", "From the request's arrival to the first visible text (or byte).")
        }
        static var overhead: MetricNameDescriptor {
            descriptor(
                "proxy_overhead",
                unit: "seconds",
                "Time llmtrace spent on a request before it went upstream (waits for the body and upstream connections excluded)."
            )
        }
        static var queueDepth: MetricNameDescriptor { descriptor("capture_queue_depth", unit: "", "Records waiting to be saved to the store.") }
        static var inFlight: MetricNameDescriptor { descriptor("capture_in_flight", unit: "", "Exchanges in flight.") }
        static var pendingBytes: MetricNameDescriptor { descriptor("capture_pending", unit: "bytes", "Body bytes waiting to be saved to the store.") }
        static var lost: MetricNameDescriptor {
            descriptor(
                "capture_lost_records",
                unit: "total",
                "Records not stored: the capture queue was full, or the store failed to save them."
            )
        }
        static var shed: MetricNameDescriptor {
            descriptor("capture_shed_bodies", unit: "total", "Records stored without their bodies because the capture buffer was full.")
        }
        static var subscribers: MetricNameDescriptor { descriptor("live_subscribers", unit: "", "Clients following /api/events.") }

        private static func descriptor(_ name: String, unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "llmtrace", metricName: name, unitName: unit, helpText: help)
        }
    }

    /// Histogram buckets, in seconds.
    enum Buckets {
        /// LLM calls take from a fraction of a second to minutes.
        static let duration: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320]
        static let ttft: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32]
        /// The proxy's own time: tens of microseconds when all is well.
        static let overhead: [Double] = [0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1]
    }
}
