import Foundation

/// Builds a ``Report`` from samples in one pass, keeping one set of totals per group (the same
/// ``StatsAggregate`` statistics keep, plus the cached and reasoning tokens).
public struct ReportAccumulator: Sendable {
    public let grouping: ReportGrouping
    private var all = Totals()
    private var groups: [String: Totals] = [:]
    private var unpricedModels: Set<String> = []

    private struct Totals: Sendable {
        var stats = StatsAggregate()
        var cached = 0
        var reasoning = 0

        mutating func add(_ s: StatsSample) {
            stats.add(s)
            cached += s.cachedInputTokens ?? 0
            reasoning += s.reasoningTokens ?? 0
        }

        func row(_ key: String) -> Report.Row {
            Report.Row(
                key: key,
                requests: stats.requests,
                errors: stats.errors,
                inputTokens: stats.promptTokens,
                outputTokens: stats.completionTokens,
                cachedInputTokens: cached,
                reasoningTokens: reasoning,
                totalTokens: stats.totalTokens,
                cost: stats.estimatedCost
            )
        }
    }

    public init(by grouping: ReportGrouping) {
        self.grouping = grouping
    }

    public mutating func add(_ s: StatsSample) {
        all.add(s)
        groups[grouping.key(of: s), default: Totals()].add(s)
        if s.isUnpriced, let model = s.model { unpricedModels.insert(model) }
    }

    /// The report, for the range `since`…`until` it was asked over.
    public func report(since: Date? = nil, until: Date? = nil) -> Report {
        let ordered: [(key: String, value: Totals)]
        if grouping.isTime {
            ordered = groups.sorted { $0.key < $1.key }
        } else {
            // As statistics' breakdowns are ordered: by cost, then requests, then name.
            ordered = groups.sorted {
                ($0.value.stats.estimatedCost, $0.value.stats.requests, $1.key) > ($1.value.stats.estimatedCost, $1.value.stats.requests, $0.key)
            }
        }
        return Report(
            by: grouping.rawValue,
            since: since,
            until: until,
            rows: ordered.map { $0.value.row($0.key) },
            totals: all.row("total"),
            unpricedModels: unpricedModels.sorted()
        )
    }
}
