import LLMTraceModel

/// Running totals of a group of summaries (all, one model, one environment, one minute), kept exact
/// under additions and removals so that replacing a summary (started → completed) is a remove + add.
public struct GroupTotals: Sendable, Equatable {
    public var requests = 0
    /// Summaries that finished (have a duration).
    public var finished = 0
    public var inputTokens = 0
    public var cachedTokens = 0
    public var outputTokens = 0
    public var reasoningTokens = 0
    /// Requests whose usage carried cached-input tokens (so that "none reported" shows as unknown, not 0).
    public var cachedReported = 0
    /// Requests whose usage carried reasoning tokens.
    public var reasoningReported = 0
    /// Provider totals, else input + output.
    public var totalTokens = 0
    public var cost = 0.0
    public var errors = 0
    public var durationSum = 0.0
    public var durations = DurationSample()

    public init() {}

    public mutating func add(_ s: TraceSummary) { apply(s, sign: 1) }
    public mutating func remove(_ s: TraceSummary) { apply(s, sign: -1) }

    private mutating func apply(_ s: TraceSummary, sign: Int) {
        requests += sign
        let u = s.usage
        inputTokens += sign * (u.inputTokens ?? 0)
        cachedTokens += sign * (u.cachedInputTokens ?? 0)
        if u.cachedInputTokens != nil { cachedReported += sign }
        outputTokens += sign * (u.outputTokens ?? 0)
        reasoningTokens += sign * (u.reasoningTokens ?? 0)
        if u.reasoningTokens != nil { reasoningReported += sign }
        totalTokens += sign * Self.tokens(u)
        cost += Double(sign) * (s.estimatedCost ?? 0)
        if s.isError { errors += sign }
        if let d = s.durationMs {
            finished += sign
            durationSum += Double(sign) * d
            if sign > 0 { durations.add(d) } else { durations.remove(d) }
        }
        if requests == 0 { self = GroupTotals() }  // no drift from floating point once empty
    }

    /// Total tokens of a usage: the provider's total, else input + output.
    public static func tokens(_ u: Usage) -> Int {
        u.totalTokens ?? ((u.inputTokens ?? 0) + (u.outputTokens ?? 0))
    }

    public var averageDurationMs: Double? { finished > 0 ? durationSum / Double(finished) : nil }
    public var p95DurationMs: Double? { durations.percentile(0.95) }
}
