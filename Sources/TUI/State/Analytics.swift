import Foundation
import LLMTraceModel

/// Everything the header and the Stats screen show, kept up to date incrementally by the reducer from
/// the summaries it holds (so rendering never walks 100 000 summaries).
public struct Analytics: Sendable, Equatable {
    public var total = GroupTotals()
    public var byModel: [String: GroupTotals] = [:]
    public var byEnv: [String: GroupTotals] = [:]
    /// Per-minute totals keyed by minutes since 1970, for the last ``historyMinutes`` minutes.
    public var minutes: [Int: GroupTotals] = [:]

    /// How many minutes of history the sparklines show.
    public static let historyMinutes = 60

    public init() {}

    /// The minute (since 1970) a date falls in.
    public static func minute(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }

    /// The group key of a summary's model.
    public static func modelKey(_ s: TraceSummary) -> String { s.model ?? "unknown" }

    mutating func add(_ s: TraceSummary, nowMinute: Int) {
        total.add(s)
        byModel[Self.modelKey(s), default: GroupTotals()].add(s)
        byEnv[s.env, default: GroupTotals()].add(s)
        let m = Self.minute(of: s.startedAt)
        if m > nowMinute - Self.historyMinutes { minutes[m, default: GroupTotals()].add(s) }
    }

    mutating func remove(_ s: TraceSummary) {
        total.remove(s)
        Self.remove(s, from: &byModel, key: Self.modelKey(s))
        Self.remove(s, from: &byEnv, key: s.env)
        Self.remove(s, from: &minutes, key: Self.minute(of: s.startedAt))
    }

    private static func remove<K: Hashable>(_ s: TraceSummary, from groups: inout [K: GroupTotals], key: K) {
        guard var g = groups[key] else { return }
        g.remove(s)
        groups[key] = g.requests == 0 ? nil : g
    }

    /// Drops minutes that fell out of the history window.
    mutating func prune(nowMinute: Int) {
        let oldest = nowMinute - Self.historyMinutes
        if minutes.keys.contains(where: { $0 <= oldest }) {
            minutes = minutes.filter { $0.key > oldest }
        }
    }

    /// Sorts buffered durations so percentiles are cheap to read.
    mutating func normalize() {
        if !total.durations.isNormalized { total.durations.normalize() }
        for k in byModel.keys where !byModel[k]!.durations.isNormalized { byModel[k]!.durations.normalize() }
        for k in byEnv.keys where !byEnv[k]!.durations.isNormalized { byEnv[k]!.durations.normalize() }
        for k in minutes.keys where !minutes[k]!.durations.isNormalized { minutes[k]!.durations.normalize() }
    }
}
