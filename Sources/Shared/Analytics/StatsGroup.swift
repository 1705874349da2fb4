/// Running totals of one group of samples (everything, a model, an environment, a time bucket).
struct StatsGroup: Sendable {
    var requests = 0, prompt = 0, completion = 0, total = 0, errors = 0
    var cost = 0.0
    /// Durations of the finished requests.
    var durations: [Double] = []
    var unpriced = false

    mutating func add(_ s: StatsSample) {
        requests += 1
        prompt += s.inputTokens ?? 0
        completion += s.outputTokens ?? 0
        total += s.tokens
        cost += s.estimatedCost ?? 0
        if s.isError { errors += 1 }
        if let d = s.durationMs { durations.append(d) }
        if s.estimatedCost == nil, s.model != nil, s.inputTokens != nil || s.outputTokens != nil { unpriced = true }
    }

    var avg: Double? { Percentile.mean(durations) }
}
