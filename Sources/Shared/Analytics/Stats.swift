import Foundation

/// `GET /api/stats`: totals over the filtered records, broken down by model and by environment.
public struct Stats: Codable, Sendable, Equatable {
    public var totalRequests: Int
    public var totalPromptTokens: Int
    public var totalCompletionTokens: Int
    public var totalTokens: Int
    /// Sum of the known costs; records whose model has no price add nothing (see `unpricedModels`).
    public var estimatedCost: Double
    /// Mean duration of finished requests, `nil` when none finished.
    public var avgResponseTimeMs: Double?
    /// 95th percentile duration of finished requests, `nil` when none finished.
    public var p95ResponseTimeMs: Double?
    public var errors: Int
    public var modelBreakdown: [Breakdown]
    public var envBreakdown: [Breakdown]
    /// Models seen that have no price, so their cost is unknown.
    public var unpricedModels: [String]

    /// One row of a breakdown; `model` or `env` names the group.
    public struct Breakdown: Codable, Sendable, Equatable {
        public var model: String?
        public var env: String?
        public var requests: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var totalTokens: Int
        public var estimatedCost: Double
        public var avgResponseTimeMs: Double?
        public var p95ResponseTimeMs: Double?
        public var errors: Int
    }
}

/// Averages and percentiles of a list of durations (nearest-rank).
public enum Percentile {
    /// The mean of `values`, `nil` when empty.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The `p`-th percentile (0…100) of `values`, `nil` when empty.
    public static func of(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// Builds ``Stats`` from samples in one pass.
public struct StatsAccumulator: Sendable {
    private var all = StatsGroup()
    private var byModel: [String: StatsGroup] = [:]
    private var byEnv: [String: StatsGroup] = [:]

    public init() {}

    public mutating func add(_ s: StatsSample) {
        all.add(s)
        byModel[s.model ?? "unknown", default: StatsGroup()].add(s)
        byEnv[s.env, default: StatsGroup()].add(s)
    }

    public var stats: Stats {
        func rows(_ groups: [String: StatsGroup], model: Bool) -> [Stats.Breakdown] {
            groups.sorted { ($0.value.cost, $0.value.requests, $1.key) > ($1.value.cost, $1.value.requests, $0.key) }.map { key, g in
                Stats.Breakdown(
                    model: model ? key : nil, env: model ? nil : key, requests: g.requests, promptTokens: g.prompt,
                    completionTokens: g.completion, totalTokens: g.total, estimatedCost: g.cost, avgResponseTimeMs: g.avg,
                    p95ResponseTimeMs: Percentile.of(g.durations, 95), errors: g.errors)
            }
        }
        return Stats(
            totalRequests: all.requests, totalPromptTokens: all.prompt, totalCompletionTokens: all.completion,
            totalTokens: all.total, estimatedCost: all.cost, avgResponseTimeMs: all.avg,
            p95ResponseTimeMs: Percentile.of(all.durations, 95), errors: all.errors,
            modelBreakdown: rows(byModel, model: true), envBreakdown: rows(byEnv, model: false),
            unpricedModels: byModel.filter { $0.value.unpriced && $0.key != "unknown" }.map(\.key).sorted())
    }
}
