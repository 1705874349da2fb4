import NIOCore

extension TimeAmount {
    /// `seconds` of a setting as a time amount; `nil` for 0 or less (no limit). At most about 31 years,
    /// so the nanoseconds fit in an Int64 whatever the setting.
    init?(seconds: Double) {
        let capped = min(seconds, 1e9)
        guard capped > 0 else { return nil }
        self = .nanoseconds(Int64(capped * 1_000_000_000))
    }

    /// How a message names the amount: `30 s`, `1.5 s`.
    var secondsText: String {
        let seconds = Double(nanoseconds) / 1_000_000_000
        return seconds == seconds.rounded() ? "\(Int64(seconds)) s" : "\(seconds) s"
    }
}
