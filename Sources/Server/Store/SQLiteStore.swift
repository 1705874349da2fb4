import Foundation
import GRDB
import GRDBSQLite
import LLMTraceModel

/// Records in a SQLite file (WAL mode), through GRDB. The schema is versioned by GRDB migrations; the
/// columns that filters and statistics read are plain indexed columns, the rest is JSON.
///
/// Statistics and timeseries filtered by environment, model and time at most are answered from an
/// hourly rollup table (``RollupTable``) kept in step with `requests` on every save and delete, plus
/// the raw records of the partial hours at either end of the range. Percentiles are exact: each
/// rollup row holds a histogram of durations (``DurationBins``), which says which bin holds the
/// percentile and at which position, and that one value is read from the records in that bin through
/// the `requests_duration_bin` index. Other filters (status, text, the filter language) read the
/// matching records, as before.
public final class SQLiteStore: TraceStore {
    public let path: String
    private let pool: DatabasePool
    private let encoder = JSONCoding.makeEncoder(sorted: false)
    private let decoder = JSONCoding.makeDecoder()

    /// The part of a record kept apart from the summary.
    private struct Detail: Codable {
        var requestHeaders: [HeaderField]
        var responseHeaders: [HeaderField]
        var requestBody: CapturedBody?
        var responseBody: CapturedBody?
    }

    /// Opens (creating if needed) and migrates the database at `path`.
    ///
    /// `readOnly` opens an existing, already migrated database without write access, as SQLite does by
    /// itself when the file cannot be opened for writing: every save then fails with a ``StoreError`` of
    /// kind ``StoreError/Kind/readOnly``.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var config = Configuration()
        config.label = "llmtrace"
        config.busyMode = .timeout(5)
        config.readonly = readOnly
        if !readOnly {
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        // The file holds prompts and answers: readable by its owner only (SQLite gives -wal and -shm the
        // database file's mode).
        if !readOnly, !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if !readOnly { try Self.migrator.migrate(pool) }
        } catch {
            throw StoreError("cannot open SQLite database \(path): \(error)")
        }
    }

    public var description: String { "sqlite \(path)" }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: requests") { db in
            try db.execute(sql: """
                CREATE TABLE requests (
                    id TEXT NOT NULL PRIMARY KEY,
                    started_at REAL NOT NULL,
                    env TEXT NOT NULL,
                    model TEXT,
                    provider TEXT,
                    status INTEGER,
                    is_error INTEGER NOT NULL,
                    complete INTEGER NOT NULL,
                    input_tokens INTEGER,
                    output_tokens INTEGER,
                    total_tokens INTEGER,
                    cost REAL,
                    duration_ms REAL,
                    search TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE INDEX requests_started_at ON requests(started_at);
                CREATE INDEX requests_env ON requests(env, id);
                CREATE INDEX requests_model ON requests(model, id);
                CREATE INDEX requests_status ON requests(status, id);
                """)
        }
        m.registerMigration("v2: hourly rollups and duration bins") { db in
            // A virtual column: adding it rewrites no rows.
            try db.execute(sql: "ALTER TABLE requests ADD COLUMN duration_bin INTEGER GENERATED ALWAYS AS (\(DurationBins.sqlExpression)) VIRTUAL")
            try db.execute(sql: """
                CREATE INDEX requests_duration_bin ON requests(duration_bin, started_at, duration_ms, env, model);
                CREATE INDEX requests_error ON requests(is_error, id);
                """)
            try db.execute(sql: RollupTable.createSQL)
            try RollupTable.rebuild(db)
        }
        return m
    }

    public func save(_ records: [TraceRecord]) async throws {
        let path = self.path
        // Encoding runs on the database's writer queue with the insert: never on an event loop, where it
        // would hold up the traffic of every connection on that loop.
        try await pool.writeWithoutTransaction { db in
            let rows = try records.map(self.row)
            do {
                try db.inTransaction {
                    try Self.insert(rows, db)
                    return .commit
                }
            } catch {
                // The OS error behind a failed write (ENOSPC, EFBIG, EROFS…) tells the user what to fix.
                throw StoreError.describe(error, systemErrno: sqlite3_system_errno(db.sqliteConnection), path: path)
            }
        }
    }

    /// A record as the `requests` table's columns, with the statistics sample the rollups need.
    private func row(_ r: TraceRecord) throws -> (id: String, sample: StatsSample, arguments: StatementArguments) {
        let s = r.summary
        let detail = Detail(requestHeaders: r.requestHeaders, responseHeaders: r.responseHeaders, requestBody: r.requestBody, responseBody: r.responseBody)
        let arguments: StatementArguments = [
            s.id, s.startedAt.timeIntervalSince1970, s.env, s.model, s.provider, s.status, s.isError, s.complete,
            s.usage.inputTokens, s.usage.outputTokens, s.usage.totalTokens, s.estimatedCost, s.durationMs,
            Self.searchText(s), String(decoding: try encoder.encode(s), as: UTF8.self),
            String(decoding: try encoder.encode(detail), as: UTF8.self),
        ]
        return (s.id, StatsSample(s), arguments)
    }

    /// Inserts or replaces `rows`, and moves the hourly rollups by the difference.
    private static func insert(_ rows: [(id: String, sample: StatsSample, arguments: StatementArguments)], _ db: Database) throws {
        let previous = try db.cachedStatement(sql: "SELECT \(RollupTable.sampleColumns) FROM requests WHERE id = ?")
        let statement = try db.cachedStatement(sql: """
            INSERT INTO requests (id, started_at, env, model, provider, status, is_error, complete, input_tokens,
                output_tokens, total_tokens, cost, duration_ms, search, summary, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET started_at = excluded.started_at, env = excluded.env, model = excluded.model,
                provider = excluded.provider, status = excluded.status, is_error = excluded.is_error,
                complete = excluded.complete, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                total_tokens = excluded.total_tokens, cost = excluded.cost, duration_ms = excluded.duration_ms,
                search = excluded.search, summary = excluded.summary, detail = excluded.detail
            """)
        var changes: [RollupKey: RollupTotals] = [:]
        for row in rows {
            if let old = try Row.fetchOne(previous, arguments: [row.id]) {
                let s = RollupTable.sample(old)
                changes[RollupKey(s), default: RollupTotals()].add(s, sign: -1)
            }
            changes[RollupKey(row.sample), default: RollupTotals()].add(row.sample)
            try statement.execute(arguments: row.arguments)
        }
        try RollupTable.apply(changes, db)
    }

    public func record(id: String) async throws -> TraceRecord? {
        let row = try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT summary, detail FROM requests WHERE id = ?", arguments: [id])
        }
        guard let row else { return nil }
        let summary = try decoder.decode(TraceSummary.self, from: Data((row["summary"] as String).utf8))
        let detail = try decoder.decode(Detail.self, from: Data((row["detail"] as String).utf8))
        return TraceRecord(summary: summary, requestHeaders: detail.requestHeaders, responseHeaders: detail.responseHeaders, requestBody: detail.requestBody, responseBody: detail.responseBody)
    }

    public func list(filter: RequestFilter, page: PageRequest) async throws -> Page {
        if filter.expression != nil { return try await scan(filter: filter, page: page) }
        var (clause, args) = Self.whereClause(filter)
        if let cursor = page.cursor {
            clause.append("id < ?")
            args += [cursor]
        }
        let sql = Self.newestFirst(clause, limit: page.limit + 1)
        let arguments = args
        let texts = try await pool.read { db in try String.fetchAll(db, sql: sql, arguments: arguments) }
        let items = try texts.map { try decoder.decode(TraceSummary.self, from: Data($0.utf8)) }
        return Page(candidates: items, limit: page.limit)
    }

    /// Pages through candidates newest first, testing the filter expression on each summary.
    private func scan(filter: RequestFilter, page: PageRequest) async throws -> Page {
        let (baseClause, baseArgs) = Self.whereClause(filter)
        var items: [TraceSummary] = []
        var cursor = page.cursor
        // Candidates already passed the SQL part of the filter, so most match: start with one page's
        // worth and read more each round only while the Swift part keeps rejecting them.
        var batch = page.limit + 1
        while items.count <= page.limit {
            var clause = baseClause
            var args = baseArgs
            if let cursor {
                clause.append("id < ?")
                args += [cursor]
            }
            let sql = Self.newestFirst(clause, limit: batch)
            let arguments = args
            let texts = try await pool.read { db in try String.fetchAll(db, sql: sql, arguments: arguments) }
            for text in texts {
                let summary = try decoder.decode(TraceSummary.self, from: Data(text.utf8))
                cursor = summary.id
                if filter.matches(summary) { items.append(summary) }
                if items.count > page.limit { break }
            }
            if texts.count < batch { break }
            batch = min(batch * 2, 2000)
        }
        return Page(candidates: items, limit: page.limit)
    }

    public func forEachSample(filter: RequestFilter, _ body: (StatsSample) -> Void) async throws {
        if filter.expression != nil {
            let (clause, args) = Self.whereClause(filter)
            let sql = "SELECT summary FROM requests" + Self.joined(clause)
            let texts = try await pool.read { db in try String.fetchAll(db, sql: sql, arguments: args) }
            for text in texts {
                let summary = try decoder.decode(TraceSummary.self, from: Data(text.utf8))
                if filter.matches(summary) { body(StatsSample(summary)) }
            }
            return
        }
        let (clause, args) = Self.whereClause(filter)
        let sql = "SELECT \(RollupTable.sampleColumns) FROM requests" + Self.joined(clause)
        let samples = try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: args).map { RollupTable.sample($0) }
        }
        samples.forEach(body)
    }

    // MARK: Statistics from rollups

    /// Whether rollups can answer `filter`: they are kept per hour, environment and model only.
    static func rollupsAnswer(_ filter: RequestFilter) -> Bool {
        filter.status == nil && (filter.text ?? "").isEmpty && filter.expression == nil
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
    static func aggregate(_ db: Database, filter: RequestFilter, groups: (Double, String, String?) -> [GroupKey]) throws -> [GroupKey: StatsAggregate] {
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
            if let firstHour { clause.append("hour >= ?"); args += [firstHour] }
            if let endHour { clause.append("hour < ?"); args += [endHour] }
            if let env = filter.env { clause.append("env = ?"); args += [env] }
            if let model = filter.model { clause.append("has_model = 1 AND model = ?"); args += [model] }
            let rows = try Row.fetchCursor(db, sql: "SELECT hour, env, has_model, model, \(RollupTable.totalsColumns) FROM rollup_hourly" + joined(clause), arguments: args)
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
                let sql = "SELECT duration_ms FROM requests INDEXED BY requests_duration_bin" + joined(clause + base)
                    + " ORDER BY duration_ms LIMIT 1 OFFSET \(rank - below - 1)"
                return try Double.fetchOne(db, sql: sql, arguments: args + baseArgs)
            }
            below += n
        }
        return nil
    }

    // MARK: Retention

    public func prune(olderThan cutoff: Date?, keepNewest: Int?, limit: Int) async throws -> Int {
        let limit = max(1, limit)
        return try await pool.write { db in
            var ids: [String] = []
            if let cutoff {
                ids = try String.fetchAll(
                    db, sql: "SELECT id FROM requests WHERE started_at < ? ORDER BY started_at LIMIT ?",
                    arguments: [cutoff.timeIntervalSince1970, limit])
            }
            if let keepNewest, ids.count < limit {
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM requests") ?? 0
                let wanted = min(total - ids.count - max(0, keepNewest), limit - ids.count)
                if wanted > 0 {
                    let taken = Set(ids)
                    let oldest = try String.fetchAll(db, sql: "SELECT id FROM requests ORDER BY id LIMIT ?", arguments: [wanted + taken.count])
                    ids += oldest.lazy.filter { !taken.contains($0) }.prefix(wanted)
                }
            }
            guard !ids.isEmpty else { return 0 }
            let read = try db.cachedStatement(sql: "SELECT \(RollupTable.sampleColumns) FROM requests WHERE id = ?")
            let delete = try db.cachedStatement(sql: "DELETE FROM requests WHERE id = ?")
            var changes: [RollupKey: RollupTotals] = [:]
            for id in ids {
                guard let row = try Row.fetchOne(read, arguments: [id]) else { continue }
                let s = RollupTable.sample(row)
                changes[RollupKey(s), default: RollupTotals()].add(s, sign: -1)
                try delete.execute(arguments: [id])
            }
            try RollupTable.apply(changes, db)
            return ids.count
        }
    }

    public func clear() async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM requests")
            try db.execute(sql: "DELETE FROM rollup_hourly")
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM requests") ?? 0 }
    }

    public func close() async throws {
        try pool.close()
    }

    static func searchText(_ s: TraceSummary) -> String {
        [s.path, s.host, s.model ?? "", s.text ?? "", s.error?.message ?? ""].joined(separator: "\n").lowercased()
    }

    static func whereClause(_ f: RequestFilter) -> ([String], StatementArguments) {
        var clause: [String] = []
        var args: StatementArguments = []
        if let env = f.env { clause.append("env = ?"); args += [env] }
        if let model = f.model { clause.append("model = ?"); args += [model] }
        switch f.status {
        case .code(let c)?: clause.append("status = ?"); args += [c]
        case .family(let fam)?: clause.append("status >= ? AND status < ?"); args += [fam * 100, fam * 100 + 100]
        case .error?: clause.append("is_error = 1")
        case nil: break
        }
        if let since = f.since { clause.append("started_at >= ?"); args += [since.timeIntervalSince1970] }
        if let until = f.until { clause.append("started_at < ?"); args += [until.timeIntervalSince1970] }
        if let text = f.text, !text.isEmpty { clause.append("instr(search, ?) > 0"); args += [text.lowercased()] }
        if let e = f.expression, let (condition, conditionArgs) = necessaryCondition(e) {
            clause.append(condition)
            args += conditionArgs
        }
        return (clause, args)
    }

    /// A SQL condition every record matching `e` meets (it may let through records that do not match,
    /// which the filter then drops), so scans read only likely candidates; `nil` when nothing about `e`
    /// can be said in SQL. Text and regex terms stay in Swift, whose case folding SQL does not share.
    static func necessaryCondition(_ e: FilterExpression) -> (String, StatementArguments)? {
        switch e {
        case .all, .text, .field(.model, _), .field(.host, _), .field(.env, .regex), .field(.provider, .regex): return nil
        case .field(.provider, .text(let t)):
            // Providers are llmtrace's own ASCII names (openai, anthropic, …), where LIKE folds case as Swift does.
            guard t.allSatisfy(\.isASCII) else { return nil }
            let escaped = t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            return ("provider LIKE ? ESCAPE '\\'", ["%" + escaped + "%"])
        case .field(.env, .text(let t)):
            // Environments are ASCII (the proxy route allows [A-Za-z0-9_.-]), where NOCASE folds as Swift does.
            return t.allSatisfy(\.isASCII) ? ("env = ? COLLATE NOCASE", [t]) : nil
        case .status(.code(let c)): return ("status = ?", [c])
        case .status(.family(let f)): return ("(status >= ? AND status < ?)", [f * 100, f * 100 + 100])
        case .flag(.error): return ("is_error = 1", [])
        case .flag(.complete): return ("complete = 1", [])
        case .flag(.stream): return nil
        case .not(.flag(.error)): return ("is_error = 0", [])
        case .not(.flag(.complete)): return ("complete = 0", [])
        case .not: return nil
        case .compare(let field, let comparison, let value):
            let column: String
            switch field {
            case .totalTokens: column = "COALESCE(total_tokens, input_tokens + output_tokens)"
            case .inputTokens: column = "input_tokens"
            case .outputTokens: column = "output_tokens"
            case .cost: column = "cost"
            case .durationMs: column = "duration_ms"
            case .ttftMs: return nil
            }
            let op: String
            switch comparison {
            case .lessThan: op = "<"
            case .lessOrEqual: op = "<="
            case .greaterThan: op = ">"
            case .greaterOrEqual: op = ">="
            case .equal: op = "="
            }
            return ("\(column) \(op) ?", [value])
        case .and(let terms):
            let parts = terms.compactMap(necessaryCondition)
            guard !parts.isEmpty else { return nil }
            return ("(" + parts.map(\.0).joined(separator: " AND ") + ")", parts.reduce(into: StatementArguments()) { $0 += $1.1 })
        case .or(let terms):
            var parts: [(String, StatementArguments)] = []
            for t in terms {
                guard let p = necessaryCondition(t) else { return nil }
                parts.append(p)
            }
            guard !parts.isEmpty else { return nil }
            return ("(" + parts.map(\.0).joined(separator: " OR ") + ")", parts.reduce(into: StatementArguments()) { $0 += $1.1 })
        }
    }

    /// Summaries matching `clause`, newest first. The ids are chosen first, from an index where one
    /// applies, and only those rows are read: when SQLite has to sort (a status class is a range on the
    /// status index), it sorts ids instead of whole rows.
    private static func newestFirst(_ clause: [String], limit: Int) -> String {
        "SELECT summary FROM requests WHERE id IN (SELECT id FROM requests" + joined(clause) + " ORDER BY id DESC LIMIT \(limit)) ORDER BY id DESC"
    }

    private static func joined(_ clause: [String]) -> String {
        clause.isEmpty ? "" : " WHERE " + clause.joined(separator: " AND ")
    }
}

/// A store problem, with a message a user can act on.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem, for scripts (`/api/health` reports it as `capture.lastStoreErrorKind`).
    public enum Kind: String, Codable, Sendable {
        /// No space left on the device.
        case diskFull = "disk_full"
        /// The file reached the largest size the process may write (`ulimit -f`, RLIMIT_FSIZE) or the file system allows.
        case fileTooLarge = "file_too_large"
        /// The database or its file system is read-only.
        case readOnly = "read_only"
        /// Another process holds the database locked.
        case busy
        /// The file is damaged or not a database.
        case corrupt
        /// Any other input/output failure.
        case io = "io_error"
        case other
    }

    public var message: String
    public var kind: Kind
    public init(_ message: String, kind: Kind = .other) {
        self.message = message
        self.kind = kind
    }
    public var description: String { message }

    /// A SQLite failure explained: what went wrong and what to do about it. `systemErrno` is the OS error
    /// SQLite saw (`sqlite3_system_errno`), 0 when unknown; a failed write is also checked against the
    /// file-size limit and the file system (SQLite reports EFBIG and EROFS as a plain I/O error, and the
    /// errno is often gone by the time the transaction has rolled back).
    static func describe(_ error: any Error, systemErrno: Int32, path: String) -> StoreError {
        if let e = error as? StoreError { return e }
        guard let e = error as? DatabaseError else { return StoreError("\(error)") }
        var systemErrno = systemErrno
        if systemErrno == 0, [.SQLITE_IOERR, .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_CANTOPEN].contains(e.resultCode) {
            systemErrno = diagnoseWriteFailure(path: path)
        }
        let sqlite = "SQLite: \(e.message ?? "error \(e.extendedResultCode.rawValue)")"
        switch (systemErrno, e.resultCode) {
        case (ENOSPC, _), (_, .SQLITE_FULL) where systemErrno != EFBIG:
            return StoreError(
                "disk full: cannot write \(path) (\(sqlite)); free space on that disk or move --db elsewhere. Records are not being saved; the proxy keeps forwarding",
                kind: .diskFull)
        case (EFBIG, _):
            return StoreError(
                "file too large: \(path) reached the largest file this process may write (ulimit -f / RLIMIT_FSIZE, or the file system's limit) (\(sqlite)); raise the limit or move --db elsewhere. Records are not being saved; the proxy keeps forwarding",
                kind: .fileTooLarge)
        case (EROFS, _), (_, .SQLITE_READONLY):
            return StoreError(
                "read-only: cannot write \(path) (\(sqlite)); the file or its file system is read-only (a disk error can remount it read-only): check `mount` and the file, or move --db elsewhere. Records are not being saved; the proxy keeps forwarding",
                kind: .readOnly)
        case (_, .SQLITE_BUSY), (_, .SQLITE_LOCKED):
            return StoreError(
                "database locked: another process holds \(path) (\(sqlite)); stop the other llmtrace or use another --db. Records are not being saved; the proxy keeps forwarding",
                kind: .busy)
        case (_, .SQLITE_CORRUPT), (_, .SQLITE_NOTADB):
            return StoreError(
                "damaged database: \(path) is corrupt or not a SQLite database (\(sqlite)); move it aside and restart to start a new one",
                kind: .corrupt)
        case (_, .SQLITE_IOERR), (_, .SQLITE_CANTOPEN):
            let os = systemErrno != 0 ? " (\(String(cString: strerror(systemErrno))))" : ""
            return StoreError(
                "I/O error writing \(path)\(os) (\(sqlite)); check the disk and the file. Records are not being saved; the proxy keeps forwarding",
                kind: .io)
        default:
            return StoreError("\(sqlite) on \(path)")
        }
    }

    /// The likely OS cause of a failed write to the database at `path`: `EFBIG` when it or its WAL or
    /// journal has reached this process's file-size limit, `EROFS` on a read-only file system, `ENOSPC`
    /// when the file system has (almost) no space left; 0 when none of these holds.
    static func diagnoseWriteFailure(path: String) -> Int32 {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            // A WAL frame is at most a 64 KiB page and its 24-byte header: a file closer to the limit than that is full.
            let slack = UInt64(65_536 + 24)
            for file in [path, path + "-wal", path + "-journal"] {
                var info = stat()
                if stat(file, &info) == 0, UInt64(info.st_size) + slack > UInt64(limit.rlim_cur) { return EFBIG }
            }
        }
        let directory = (path as NSString).deletingLastPathComponent
        var fs = statvfs()
        if statvfs(directory.isEmpty ? "." : directory, &fs) == 0 {
            if fs.f_flag & UInt(ST_RDONLY) != 0 { return EROFS }
            if UInt64(fs.f_bavail) * UInt64(fs.f_frsize) < 1 << 20 { return ENOSPC }
        }
        return 0
    }
}
