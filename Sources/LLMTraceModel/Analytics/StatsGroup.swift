/// Running totals of one group of samples (everything, a model, an environment, a time bucket), with
/// the durations kept so the exact percentile can be taken at the end.
struct StatsGroup: Sendable {
    var totals = StatsAggregate()
    /// Durations of the finished requests.
    var durations: [Double] = []

    mutating func add(_ s: StatsSample) {
        totals.add(s)
        if let d = s.durationMs { durations.append(d) }
    }

    /// The totals with their 95th percentile duration.
    var aggregate: StatsAggregate {
        var a = totals
        a.p95ResponseTimeMs = Percentile.of(durations, 95)
        return a
    }
}
