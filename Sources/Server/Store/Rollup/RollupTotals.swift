import Foundation
import GRDB
import LLMTraceModel

/// Duration bins: the histogram that lets ``SQLiteStore`` find the bin holding a percentile from
/// rollups, then read the exact value from the few records in that bin. Bins are 10 ms wide below
/// 1 s, 100 ms below 10 s, 1 s below 100 s, and so on (at most 10 % of the value from 100 ms up);
/// bin 460 holds everything from 10 000 s. The same formula is the `requests.duration_bin` generated
/// column (``sqlExpression``), so Swift and SQL always agree on a record's bin.
enum DurationBins {
    static let count = 461

    /// The bin of a duration in milliseconds. Monotonic: a longer duration never gets a lower bin.
    static func bin(_ ms: Double) -> Int {
        guard ms >= 0 else { return 0 }  // also NaN (stored as NULL, never binned)
        if ms < 1000 { return Int(ms / 10) }
        if ms < 10_000 { return 90 + Int(ms / 100) }
        if ms < 100_000 { return 180 + Int(ms / 1000) }
        if ms < 1_000_000 { return 270 + Int(ms / 10_000) }
        if ms < 10_000_000 { return 360 + Int(ms / 100_000) }
        return 460
    }

    /// ``bin(_:)`` in SQL over `duration_ms` (`CAST … AS INTEGER` truncates as `Int(_:)` does).
    static let sqlExpression = """
        CASE WHEN duration_ms IS NULL THEN NULL WHEN duration_ms < 0 THEN 0 \
        WHEN duration_ms < 1000 THEN CAST(duration_ms / 10 AS INTEGER) \
        WHEN duration_ms < 10000 THEN 90 + CAST(duration_ms / 100 AS INTEGER) \
        WHEN duration_ms < 100000 THEN 180 + CAST(duration_ms / 1000 AS INTEGER) \
        WHEN duration_ms < 1000000 THEN 270 + CAST(duration_ms / 10000 AS INTEGER) \
        WHEN duration_ms < 10000000 THEN 360 + CAST(duration_ms / 100000 AS INTEGER) ELSE 460 END
        """
}

/// Which rollup row a record counts in: its hour, environment and model.
struct RollupKey: Hashable {
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

/// Totals of one rollup row, or the change to apply to one (counts may be negative in a change).
struct RollupTotals: Equatable {
    var requests = 0, prompt = 0, completion = 0, total = 0, errors = 0
    var cost = 0.0
    var finished = 0
    var durationSum = 0.0
    /// Records that reported tokens for a model without a price.
    var unpriced = 0
    /// Finished records by ``DurationBins`` bin: empty, or ``DurationBins/count`` long.
    var bins: [Int] = []

    mutating func addBin(_ bin: Int, _ n: Int) {
        if bins.isEmpty { bins = Array(repeating: 0, count: DurationBins.count) }
        bins[min(max(bin, 0), DurationBins.count - 1)] += n
    }

    mutating func add(_ s: StatsSample, sign: Int = 1) {
        requests += sign
        prompt += sign * (s.inputTokens ?? 0)
        completion += sign * (s.outputTokens ?? 0)
        total += sign * (s.totalTokens ?? ((s.inputTokens ?? 0) + (s.outputTokens ?? 0)))
        if s.isError { errors += sign }
        cost += Double(sign) * (s.estimatedCost ?? 0)
        if let d = s.durationMs, !d.isNaN {
            finished += sign
            durationSum += Double(sign) * d
            addBin(DurationBins.bin(d), sign)
        }
        if s.isUnpriced { unpriced += sign }
    }

    /// Adds everything but the bins.
    mutating func mergeTotals(_ o: RollupTotals) {
        requests += o.requests
        prompt += o.prompt
        completion += o.completion
        total += o.total
        errors += o.errors
        cost += o.cost
        finished += o.finished
        durationSum += o.durationSum
        unpriced += o.unpriced
    }

    mutating func merge(_ o: RollupTotals) {
        mergeTotals(o)
        for (b, n) in o.bins.enumerated() where n != 0 { addBin(b, n) }
    }

    var isZero: Bool {
        requests == 0 && prompt == 0 && completion == 0 && total == 0 && errors == 0 && finished == 0 && unpriced == 0
            && cost == 0 && durationSum == 0 && bins.allSatisfy { $0 == 0 }
    }

    /// Bins as bytes: for each non-empty bin, its number (2 bytes) and count (4 bytes), little-endian.
    var encodedBins: Data {
        var out = Data()
        for (b, n) in bins.enumerated() where n > 0 {
            withUnsafeBytes(of: UInt16(clamping: b).littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(clamping: n).littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Calls `body(bin, count)` for each entry of ``encodedBins``.
    static func forEachBin(_ data: Data, _ body: (Int, Int) -> Void) {
        data.withUnsafeBytes { raw in
            var i = 0
            while i + 6 <= raw.count {
                let b = UInt16(raw[i]) | UInt16(raw[i + 1]) << 8
                let n = UInt32(raw[i + 2]) | UInt32(raw[i + 3]) << 8 | UInt32(raw[i + 4]) << 16 | UInt32(raw[i + 5]) << 24
                body(Int(b), Int(n))
                i += 6
            }
        }
    }
}

extension StatsAggregate {
    mutating func merge(_ t: RollupTotals) {
        requests += t.requests
        promptTokens += t.prompt
        completionTokens += t.completion
        totalTokens += t.total
        errors += t.errors
        estimatedCost += t.cost
        finished += t.finished
        durationSum += t.durationSum
        if t.unpriced > 0 { unpriced = true }
    }
}

/// The rollup table: per hour, environment and model, the totals statistics need and a histogram of
/// durations. ``SQLiteStore`` keeps it in step with `requests` in the same transaction as every save,
/// replace and delete.
enum RollupTable {
    static let createSQL = """
        CREATE TABLE rollup_hourly (
            hour INTEGER NOT NULL,
            env TEXT NOT NULL,
            has_model INTEGER NOT NULL,
            model TEXT NOT NULL,
            requests INTEGER NOT NULL,
            prompt INTEGER NOT NULL,
            completion INTEGER NOT NULL,
            total INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            cost REAL NOT NULL,
            finished INTEGER NOT NULL,
            duration_sum REAL NOT NULL,
            unpriced INTEGER NOT NULL,
            bins BLOB NOT NULL,
            PRIMARY KEY (hour, env, has_model, model)
        ) WITHOUT ROWID
        """

    /// The columns of `requests` a ``StatsSample`` is made of, in the order ``sample(_:)`` reads them.
    static let sampleColumns = "env, model, input_tokens, output_tokens, total_tokens, cost, duration_ms, is_error, started_at"

    static func sample(_ row: Row, from i: Int = 0) -> StatsSample {
        StatsSample(
            env: row[i],
            model: row[i + 1],
            inputTokens: row[i + 2],
            outputTokens: row[i + 3],
            totalTokens: row[i + 4],
            estimatedCost: row[i + 5],
            durationMs: row[i + 6],
            isError: row[i + 7],
            startedAt: Date(timeIntervalSince1970: row[i + 8])
        )
    }

    static func totals(_ row: Row, from i: Int, withBins: Bool = true) -> RollupTotals {
        var t = RollupTotals(
            requests: row[i],
            prompt: row[i + 1],
            completion: row[i + 2],
            total: row[i + 3],
            errors: row[i + 4],
            cost: row[i + 5],
            finished: row[i + 6],
            durationSum: row[i + 7],
            unpriced: row[i + 8]
        )
        guard withBins else { return t }
        let data: Data = row[i + 9]
        RollupTotals.forEachBin(data) { b, n in t.addBin(b, n) }
        return t
    }

    static let totalsColumns = "requests, prompt, completion, total, errors, cost, finished, duration_sum, unpriced, bins"

    /// Adds `changes` to the rollup rows, deleting rows left with no records.
    static func apply(_ changes: [RollupKey: RollupTotals], _ db: Database) throws {
        let read = try db.cachedStatement(
            sql: "SELECT \(totalsColumns) FROM rollup_hourly WHERE hour = ? AND env = ? AND has_model = ? AND model = ?"
        )
        let write = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO rollup_hourly (hour, env, has_model, model, \(totalsColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        let delete = try db.cachedStatement(sql: "DELETE FROM rollup_hourly WHERE hour = ? AND env = ? AND has_model = ? AND model = ?")
        for (key, change) in changes where !change.isZero {
            let keyArgs: StatementArguments = [key.hour, key.env, key.model != nil, key.model ?? ""]
            var t = try Row.fetchOne(read, arguments: keyArgs).map { totals($0, from: 0) } ?? RollupTotals()
            t.merge(change)
            if t.requests <= 0 {
                try delete.execute(arguments: keyArgs)
            } else {
                try write.execute(
                    arguments: keyArgs + [
                        t.requests, t.prompt, t.completion, t.total, t.errors, t.cost, t.finished, t.durationSum, t.unpriced, t.encodedBins,
                    ]
                )
            }
        }
    }

    /// Builds every rollup row from `requests` (for databases made before rollups existed).
    static func rebuild(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM rollup_hourly")
        var changes: [RollupKey: RollupTotals] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT \(sampleColumns) FROM requests")
        while let row = try rows.next() {
            let s = sample(row)
            changes[RollupKey(s), default: RollupTotals()].add(s)
        }
        try apply(changes, db)
    }
}
