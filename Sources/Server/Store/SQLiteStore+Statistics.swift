import Foundation
import GRDB
import LLMTraceModel

// MARK: - Statistics and timeseries from the hourly rollups

extension SQLiteStore {
    /// Whether rollups can answer `filter`: they are kept per hour, environment and model only.
    static func rollupsAnswer(_ filter: RequestFilter) -> Bool {
        filter.status == nil && (filter.text ?? "").isEmpty && filter.expression == nil && filter.environments == nil
    }

    public func stats(filter: RequestFilter) async throws -> Stats {
        guard Self.rollupsAnswer(filter) else { return try await accumulatedStats(filter: filter) }
        let groups = try await pool.read { db in
            try Self.aggregate(db, filter: filter) { _, env, model in
                [.all, .model(model ?? "unknown"), .env(env)]
            }
        }
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

    public func timeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries? {
        guard let layout = Timeseries.layout(bucketSeconds: bucketSeconds, since: since, until: until) else { return nil }
        var f = filter
        f.since = max(f.since ?? since, since)
        f.until = min(f.until ?? until, until)
        // Rollup hours must fall inside one bucket each: bucket widths that are whole hours.
        guard Self.rollupsAnswer(f), bucketSeconds % RollupKey.secondsPerHour == 0 else {
            return try await accumulatedTimeseries(filter: filter, bucketSeconds: bucketSeconds, since: since, until: until)
        }
        let start = layout.start.timeIntervalSince1970
        let count = layout.count
        let width = Double(bucketSeconds)
        let untilTime = until.timeIntervalSince1970
        let narrowed = f
        let groups = try await pool.read { db in
            try Self.aggregate(db, filter: narrowed) { time, _, _ in
                let i = Int(((time - start) / width).rounded(.down))
                return i >= 0 && i < count && time < untilTime ? [.bucket(i, from: start + Double(i) * width, to: start + Double(i + 1) * width)] : []
            }
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
    static func aggregate(_ db: Database, filter: RequestFilter, groups: (Double, String, String?) -> [GroupKey]) throws -> [GroupKey: StatsAggregate]
    {
        let since = filter.since?.timeIntervalSince1970
        let until = filter.until?.timeIntervalSince1970
        let hour = Double(RollupKey.secondsPerHour)
        // Whole hours [firstHour, endHour) inside [since, until).
        let firstHour = since.map { Int(($0 / hour).rounded(.up)) }
        let endHour = until.map { Int(($0 / hour).rounded(.down)) }
        var rollupsUsed = true
        if let firstHour, let endHour { rollupsUsed = firstHour < endHour }

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
            var clause: [String] = []
            var args: StatementArguments = []
            if let firstHour {
                clause.append("hour >= ?")
                args += [firstHour]
            }
            if let endHour {
                clause.append("hour < ?")
                args += [endHour]
            }
            if let env = filter.env {
                clause.append("env = ?")
                args += [env]
            }
            if let model = filter.model {
                clause.append("has_model = 1 AND model = ?")
                args += [model]
            }
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT hour, env, has_model, model, \(RollupTable.totalsColumns) FROM rollup_hourly" + joined(clause),
                arguments: args
            )
            while let row = try rows.next() {
                let h: Int = row[0]
                let hasModel: Bool = row[2]
                let targets = indices(time: Double(h) * hour, env: row[1], model: hasModel ? row[3] as String : nil)
                let t = RollupTable.totals(row, from: 4, withBins: false)
                for i in targets { totals[i].mergeTotals(t) }
                let data: Data = row[13]
                RollupTotals.forEachBin(data) { b, n in
                    for i in targets { totals[i].addBin(b, n) }
                }
            }
        }

        // Raw records outside the whole hours: the partial hours at the ends, or the whole range.
        var edges: [(Double?, Double?)] = []
        if rollupsUsed {
            if let since, let firstHour { edges.append((since, Double(firstHour) * hour)) }
            if let until, let endHour { edges.append((Double(endHour) * hour, until)) }
        } else {
            edges.append((since, until))
        }
        for (from, to) in edges {
            var f = filter
            f.since = from.map { Date(timeIntervalSince1970: $0) }
            f.until = to.map { Date(timeIntervalSince1970: $0) }
            let (clause, args) = whereClause(f)
            // At most an hour at each end when rollups are used: the time index is the short way there.
            let hint = rollupsUsed ? " INDEXED BY requests_started_at" : ""
            let rows = try Row.fetchCursor(db, sql: "SELECT \(RollupTable.sampleColumns) FROM requests" + hint + joined(clause), arguments: args)
            while let row = try rows.next() {
                let s = RollupTable.sample(row)
                // A record counts here only if its hour is not one the rollups already counted.
                if rollupsUsed {
                    let h = RollupKey.hour(of: s.startedAt.timeIntervalSince1970)
                    if firstHour.map({ h >= $0 }) ?? true, endHour.map({ h < $0 }) ?? true { continue }
                }
                for i in indices(time: s.startedAt.timeIntervalSince1970, env: s.env, model: s.model) { totals[i].add(s) }
            }
        }

        var out: [GroupKey: StatsAggregate] = [:]
        for (key, i) in index where totals[i].requests > 0 {
            let t = totals[i]
            var g = StatsAggregate()
            g.merge(t)
            g.p95ResponseTimeMs = try percentile(95, of: t, group: key, filter: filter, db)
            out[key] = g
        }
        return out
    }

    /// The exact nearest-rank percentile of a group's durations: the histogram gives the bin and the
    /// position in it; the value is read from that bin's records.
    static func percentile(_ p: Double, of t: RollupTotals, group: GroupKey, filter: RequestFilter, _ db: Database) throws -> Double? {
        guard let rank = StatsAggregate.percentileRank(p, count: t.finished) else { return nil }
        var below = 0
        for (bin, n) in t.bins.enumerated() where n > 0 {
            if below + n >= rank {
                var f = filter
                var clause: [String] = ["duration_bin = ?"]
                var args: StatementArguments = [bin]
                switch group {
                case .all: break
                case .env(let e): f.env = e
                case .model(let m):
                    if filter.model == nil {
                        if m == "unknown" { clause.append("(model IS NULL OR model = ?)") } else { clause.append("model = ?") }
                        args += [m]
                    }
                case .bucket(_, let from, let to):
                    f.since = Date(timeIntervalSince1970: max(filter.since?.timeIntervalSince1970 ?? from, from))
                    f.until = Date(timeIntervalSince1970: min(filter.until?.timeIntervalSince1970 ?? to, to))
                }
                let (base, baseArgs) = whereClause(f)
                let sql =
                    "SELECT duration_ms FROM requests INDEXED BY requests_duration_bin" + joined(clause + base)
                    + " ORDER BY duration_ms LIMIT 1 OFFSET \(rank - below - 1)"
                return try Double.fetchOne(db, sql: sql, arguments: args + baseArgs)
            }
            below += n
        }
        return nil
    }
}
