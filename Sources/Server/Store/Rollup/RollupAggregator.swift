import Foundation
import LLMTraceModel

/// Statistics and timeseries from hourly rollups, for any store that is a ``RollupSource``.
///
/// Filters of environment, model and time at most (``answers(_:)``) are answered from the rollup rows
/// of the whole hours inside the range, plus the raw records of the partial hours at either end. The
/// 95th percentile is exact: each rollup row holds a histogram of durations (``DurationBins``), which
/// says which bin holds the percentile and at which position, and that one value is read from the
/// records of that bin (``RollupSource/durations(_:)``). The answers equal
/// ``TraceStore/accumulatedStats(filter:)``'s; other filters go there.
struct RollupAggregator: Sendable {
    let source: any RollupSource

    /// Whether rollups can answer `filter`: they are kept per hour, environment and model only.
    static func answers(_ filter: RequestFilter) -> Bool {
        // A set of environments (shared mode's tenancy) reads the matching records instead.
        filter.status == nil && (filter.text ?? "").isEmpty && filter.expression == nil && filter.environments == nil
    }

    /// Whether rollups can answer a timeseries of `bucketSeconds` buckets over `filter`: rollup hours
    /// must fall inside one bucket each, so bucket widths must be whole hours.
    static func answers(_ filter: RequestFilter, bucketSeconds: Int) -> Bool {
        answers(filter) && bucketSeconds > 0 && bucketSeconds % RollupKey.secondsPerHour == 0
    }

    /// Statistics over the records matching `filter`, which ``answers(_:)``.
    func stats(filter: RequestFilter) async throws -> Stats {
        let groups = try await aggregate(filter) { _, env, model in [.all, .model(model ?? "unknown"), .env(env)] }
        var byModel: [String: StatsAggregate] = [:]
        var byEnv: [String: StatsAggregate] = [:]
        for (key, g) in groups {
            switch key {
            case .model(let m): byModel[m] = g
            case .env(let e): byEnv[e] = g
            case .all, .bucket: break
            }
        }
        return Stats(all: groups[.all] ?? StatsAggregate(), byModel: byModel, byEnv: byEnv)
    }

    /// A timeseries over the records matching `filter`, which ``answers(_:bucketSeconds:)``; `nil` when
    /// it would be more than ``Timeseries/maxBuckets`` buckets.
    func timeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries? {
        guard let layout = Timeseries.layout(bucketSeconds: bucketSeconds, since: since, until: until) else { return nil }
        var f = filter
        f.since = max(f.since ?? since, since)
        f.until = min(f.until ?? until, until)
        let start = layout.start.timeIntervalSince1970
        let count = layout.count
        let width = Double(bucketSeconds)
        let untilTime = until.timeIntervalSince1970
        let groups = try await aggregate(f) { time, _, _ in
            let i = Int(((time - start) / width).rounded(.down))
            return i >= 0 && i < count && time < untilTime ? [.bucket(i, from: start + Double(i) * width, to: start + Double(i + 1) * width)] : []
        }
        var aggregates = [StatsAggregate](repeating: StatsAggregate(), count: count)
        for (key, g) in groups {
            if case .bucket(let i, _, _) = key { aggregates[i] = g }
        }
        return Timeseries(bucketSeconds: bucketSeconds, since: layout.start, until: until, aggregates: aggregates)
    }

    /// A group statistics are gathered for.
    enum GroupKey: Hashable {
        case all
        case model(String)
        case env(String)
        /// A timeseries bucket, with the times it covers.
        case bucket(Int, from: Double, to: Double)
    }

    /// Totals per group for the records matching `filter` (environment, model and time only): rollup
    /// rows for the whole hours inside the range, raw records for the partial hours at its ends, then
    /// the exact 95th percentile of each group. `groups(time, env, model)` names the groups a record
    /// (or a rollup row, with its hour's start as `time`) counts in; it must give every record of one
    /// rollup row the same groups.
    func aggregate(_ filter: RequestFilter, groups: (Double, String, String?) -> [GroupKey]) async throws -> [GroupKey: StatsAggregate] {
        let since = filter.since?.timeIntervalSince1970
        let until = filter.until?.timeIntervalSince1970
        let hour = Double(RollupKey.secondsPerHour)
        // Whole hours [firstHour, endHour) inside [since, until).
        let firstHour = since.map { Int(($0 / hour).rounded(.up)) }
        let endHour = until.map { Int(($0 / hour).rounded(.down)) }
        var rollupsUsed = true
        if let firstHour, let endHour { rollupsUsed = firstHour < endHour }
        let base = RecordSelection(env: filter.env, model: filter.model.map { .named($0) } ?? .any, from: since, to: until)

        // Groups by index, so adding a rollup row's bins costs no dictionary lookups.
        var totals: [RollupTotals] = []
        var index: [GroupKey: Int] = [:]
        func indices(time: Double, env: String, model: String?) -> [Int] {
            groups(time, env, model).map { key in
                if let i = index[key] { return i }
                index[key] = totals.count
                totals.append(RollupTotals())
                return totals.count - 1
            }
        }

        if rollupsUsed {
            for row in try await source.rollupRows(hours: RollupHours(first: firstHour, end: endHour), base) {
                let targets = indices(time: Double(row.key.hour) * hour, env: row.key.env, model: row.key.model)
                for i in targets {
                    totals[i].mergeTotals(row.totals)
                    for b in row.bins { totals[i].addBin(b.bin, b.count) }
                }
            }
        }

        // Raw records outside the whole hours: the partial hours at the ends, or the whole range.
        var edges: [RecordSelection] = []
        if rollupsUsed {
            if let since, let firstHour { edges.append(RecordSelection(env: base.env, model: base.model, from: since, to: Double(firstHour) * hour)) }
            if let until, let endHour { edges.append(RecordSelection(env: base.env, model: base.model, from: Double(endHour) * hour, to: until)) }
        } else {
            edges.append(base)
        }
        for edge in edges {
            for s in try await source.samples(edge) {
                // A record counts here only if its hour is not one the rollups already counted.
                if rollupsUsed {
                    let h = RollupKey.hour(of: s.startedAt.timeIntervalSince1970)
                    if firstHour.map({ h >= $0 }) ?? true, endHour.map({ h < $0 }) ?? true { continue }
                }
                for i in indices(time: s.startedAt.timeIntervalSince1970, env: s.env, model: s.model) { totals[i].add(s) }
            }
        }

        var out: [GroupKey: StatsAggregate] = [:]
        var lookups: [(GroupKey, DurationLookup)] = []
        for (key, i) in index where totals[i].requests > 0 {
            var g = StatsAggregate()
            g.merge(totals[i])
            out[key] = g
            if let lookup = Self.percentileLookup(95, of: totals[i], group: key, base: base, filter: filter) { lookups.append((key, lookup)) }
        }
        let values = lookups.isEmpty ? [] : try await source.durations(lookups.map(\.1))
        for ((key, _), value) in zip(lookups, values) { out[key]?.p95ResponseTimeMs = value }
        return out
    }

    /// Where the exact nearest-rank percentile `p` of a group's durations is: the histogram gives the bin
    /// and the position in it; the value is read from that bin's records. `nil` when nothing finished.
    static func percentileLookup(_ p: Double, of t: RollupTotals, group: GroupKey, base: RecordSelection, filter: RequestFilter) -> DurationLookup? {
        guard let rank = StatsAggregate.percentileRank(p, count: t.finished) else { return nil }
        var below = 0
        for (bin, n) in t.bins.enumerated() where n > 0 {
            if below + n >= rank {
                var selection = base
                switch group {
                case .all: break
                case .env(let e): selection.env = e
                case .model(let m):
                    if filter.model == nil { selection.model = m == "unknown" ? .unknownGroup : .named(m) }
                case .bucket(_, let from, let to):
                    selection.from = max(base.from ?? from, from)
                    selection.to = min(base.to ?? to, to)
                }
                return DurationLookup(selection: selection, bin: bin, offset: rank - below - 1)
            }
            below += n
        }
        return nil
    }
}

extension TraceStore {
    /// Statistics from rollups read through `source` when they can answer `filter`, else from every
    /// matching sample: what a store that keeps rollups answers for ``TraceStore/stats(filter:)``.
    func rollupStats(filter: RequestFilter, source: () throws -> any RollupSource) async throws -> Stats {
        guard RollupAggregator.answers(filter) else { return try await accumulatedStats(filter: filter) }
        return try await RollupAggregator(source: try source()).stats(filter: filter)
    }

    /// A timeseries from rollups read through `source` when they can answer it, else from every
    /// matching sample.
    func rollupTimeseries(
        filter: RequestFilter,
        bucketSeconds: Int,
        since: Date,
        until: Date,
        source: () throws -> any RollupSource
    ) async throws -> Timeseries? {
        guard RollupAggregator.answers(filter, bucketSeconds: bucketSeconds) else {
            return try await accumulatedTimeseries(filter: filter, bucketSeconds: bucketSeconds, since: since, until: until)
        }
        return try await RollupAggregator(source: try source()).timeseries(filter: filter, bucketSeconds: bucketSeconds, since: since, until: until)
    }
}
