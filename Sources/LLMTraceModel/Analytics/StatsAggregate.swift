import Foundation

/// Totals of one group of records (everything, a model, an environment, a time bucket) in a form a
/// store can compute without holding every sample: sums, counts, and the 95th percentile duration
/// worked out by the store. ``StatsAccumulator`` and ``TimeseriesAccumulator`` produce the same
/// numbers from samples; stores that aggregate in SQL build ``Stats`` and ``Timeseries`` from these.
public struct StatsAggregate: Sendable, Equatable {
    public var requests = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var totalTokens = 0
    public var errors = 0
    public var estimatedCost = 0.0
    /// Requests with a duration (finished ones), and the sum of their durations.
    public var finished = 0
    public var durationSum = 0.0
    /// Nearest-rank 95th percentile of the finished requests' durations.
    public var p95ResponseTimeMs: Double?
    /// Whether a record reported tokens for a model without a price.
    public var unpriced = false

    public init() {}

    /// Mean duration of finished requests, `nil` when none finished.
    public var avgResponseTimeMs: Double? { finished == 0 ? nil : durationSum / Double(finished) }

    /// Adds one sample's contribution (everything but the percentile, which needs all durations).
    public mutating func add(_ s: StatsSample) {
        requests += 1
        promptTokens += s.inputTokens ?? 0
        completionTokens += s.outputTokens ?? 0
        totalTokens += s.tokens
        estimatedCost += s.estimatedCost ?? 0
        if s.isError { errors += 1 }
        if let d = s.durationMs {
            finished += 1
            durationSum += d
        }
        if s.isUnpriced { unpriced = true }
    }

    /// The rank (1-based, ascending) of the nearest-rank `p`-th percentile among `count` values, as
    /// ``Percentile/of(_:_:)`` picks it; `nil` when `count` is 0.
    public static func percentileRank(_ p: Double, count: Int) -> Int? {
        guard count > 0 else { return nil }
        let rank = Int((p / 100 * Double(count)).rounded(.up))
        return min(max(rank, 1), count)
    }
}

extension StatsSample {
    /// Tokens were reported for a named model that has no price.
    public var isUnpriced: Bool { estimatedCost == nil && model != nil && (inputTokens != nil || outputTokens != nil) }
}

extension Stats {
    /// Statistics from group totals: `byModel` keyed by model (`"unknown"` for records without one),
    /// `byEnv` by environment. Breakdown rows are sorted as ``StatsAccumulator`` sorts them.
    public init(all: StatsAggregate, byModel: [String: StatsAggregate], byEnv: [String: StatsAggregate]) {
        func rows(_ groups: [String: StatsAggregate], model: Bool) -> [Stats.Breakdown] {
            groups.sorted { ($0.value.estimatedCost, $0.value.requests, $1.key) > ($1.value.estimatedCost, $1.value.requests, $0.key) }.map {
                key,
                g in
                Stats.Breakdown(
                    model: model ? key : nil,
                    env: model ? nil : key,
                    requests: g.requests,
                    promptTokens: g.promptTokens,
                    completionTokens: g.completionTokens,
                    totalTokens: g.totalTokens,
                    estimatedCost: g.estimatedCost,
                    avgResponseTimeMs: g.avgResponseTimeMs,
                    p95ResponseTimeMs: g.p95ResponseTimeMs,
                    errors: g.errors
                )
            }
        }
        self.init(
            totalRequests: all.requests,
            totalPromptTokens: all.promptTokens,
            totalCompletionTokens: all.completionTokens,
            totalTokens: all.totalTokens,
            estimatedCost: all.estimatedCost,
            avgResponseTimeMs: all.avgResponseTimeMs,
            p95ResponseTimeMs: all.p95ResponseTimeMs,
            errors: all.errors,
            modelBreakdown: rows(byModel, model: true),
            envBreakdown: rows(byEnv, model: false),
            unpricedModels: byModel.filter { $0.value.unpriced && $0.key != "unknown" }.map(\.key).sorted()
        )
    }
}

extension Timeseries {
    /// The bucket layout ``TimeseriesAccumulator`` uses: `since` rounded down to a multiple of
    /// `bucketSeconds`, and the number of buckets up to `until`; `nil` when that is more than
    /// ``maxBuckets``.
    public static func layout(bucketSeconds: Int, since: Date, until: Date) -> (start: Date, count: Int)? {
        guard bucketSeconds > 0 else { return nil }
        let start = (since.timeIntervalSince1970 / Double(bucketSeconds)).rounded(.down) * Double(bucketSeconds)
        let count = Int(((until.timeIntervalSince1970 - start) / Double(bucketSeconds)).rounded(.up))
        guard count >= 0, count <= maxBuckets else { return nil }
        return (Date(timeIntervalSince1970: start), count)
    }

    /// A timeseries from per-bucket totals (`buckets[i]` starts at `since + i × bucketSeconds`).
    public init(bucketSeconds: Int, since: Date, until: Date, aggregates: [StatsAggregate]) {
        let rows = aggregates.enumerated().map { i, g in
            Bucket(
                t: since.addingTimeInterval(Double(i * bucketSeconds)),
                requests: g.requests,
                promptTokens: g.promptTokens,
                completionTokens: g.completionTokens,
                estimatedCost: g.estimatedCost,
                avgResponseTimeMs: g.avgResponseTimeMs,
                p95ResponseTimeMs: g.p95ResponseTimeMs,
                errors: g.errors
            )
        }
        self.init(bucketSeconds: bucketSeconds, since: since, until: until, buckets: rows)
    }
}
