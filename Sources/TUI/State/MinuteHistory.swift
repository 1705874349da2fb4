import Foundation
import LLMTraceModel

/// Per-minute series over the last hour, oldest first, for the sparklines.
///
/// Built from the summaries held (``Analytics/minutes``) and, when the driver fetched one, the
/// server's timeseries: each minute takes the larger of the two counts (the server's covers records
/// not loaded; the local one covers what arrived after the fetch), so nothing is counted twice.
/// p95 latency comes from the summaries held only.
public struct MinuteHistory: Sendable, Equatable {
    /// Minutes since 1970 of each entry.
    public var minutes: [Int]
    public var requests: [Double]
    public var tokens: [Double]
    public var cost: [Double]
    /// `nil` where no request of that minute finished.
    public var p95LatencyMs: [Double?]
    public var errors: [Double]

    /// The last `count` minutes up to and including the minute of `state.now`.
    public init(state: AppState, count: Int = Analytics.historyMinutes) {
        let last = Analytics.minute(of: state.now)
        minutes = Array((last - count + 1)...last)
        var server: [Int: Timeseries.Bucket] = [:]
        if let ts = state.serverTimeseries, ts.bucketSeconds == 60 {
            for b in ts.buckets { server[Analytics.minute(of: b.t)] = b }
        }
        requests = []
        tokens = []
        cost = []
        p95LatencyMs = []
        errors = []
        for m in minutes {
            let local = state.analytics.minutes[m]
            let remote = server[m]
            requests.append(Double(max(local?.requests ?? 0, remote?.requests ?? 0)))
            tokens.append(Double(max(local?.totalTokens ?? 0, (remote?.promptTokens ?? 0) + (remote?.completionTokens ?? 0))))
            cost.append(max(local?.cost ?? 0, remote?.estimatedCost ?? 0))
            p95LatencyMs.append(local?.p95DurationMs)
            errors.append(Double(max(local?.errors ?? 0, remote?.errors ?? 0)))
        }
    }
}
