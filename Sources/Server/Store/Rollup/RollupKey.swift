import LLMTraceModel

/// Which rollup row a record counts in: its hour, environment and model.
struct RollupKey: Hashable, Sendable {
    var hour: Int
    var env: String
    var model: String?

    static let secondsPerHour = 3600

    init(hour: Int, env: String, model: String?) {
        self.hour = hour
        self.env = env
        self.model = model
    }

    init(_ s: StatsSample) {
        self.init(hour: Self.hour(of: s.startedAt.timeIntervalSince1970), env: s.env, model: s.model)
    }

    /// The hour `h` with `h × 3600 <= time < (h + 1) × 3600`, exactly (so that comparing `started_at`
    /// with an hour's start in SQL agrees with the rollup row a record was counted in).
    static func hour(of time: Double) -> Int {
        let seconds = Double(secondsPerHour)
        guard time.isFinite else { return 0 }
        var h = Int((time / seconds).rounded(.down))
        if Double(h) * seconds > time { h -= 1 }
        if Double(h + 1) * seconds <= time { h += 1 }
        return h
    }
}
