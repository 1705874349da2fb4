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

/// Percentiles of a list of durations (nearest-rank).
public enum Percentile {
    /// The `p`-th percentile (0…100) of `values`, `nil` when empty.
    public static func of(_ values: [Double], _ p: Double) -> Double? {
        guard let rank = StatsAggregate.percentileRank(p, count: values.count) else { return nil }
        return values.sorted()[rank - 1]
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
        Stats(all: all.aggregate, byModel: byModel.mapValues(\.aggregate), byEnv: byEnv.mapValues(\.aggregate))
    }
}
