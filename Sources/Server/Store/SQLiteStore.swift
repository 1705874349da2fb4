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
    let pool: DatabasePool
    private let encoder = JSONCoding.makeEncoder(sorted: false)
    private let decoder = JSONCoding.makeDecoder()

    /// The part of a record kept apart from the summary.
    private struct Detail: Codable {
        var requestHeaders: [HeaderField]
        var responseHeaders: [HeaderField]
        var requestBody: CapturedBody?
        var responseBody: CapturedBody?
        /// Every choice, for a response with several (absent otherwise and in older rows).
        var choices: [Choice]?
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
            try db.execute(
                sql: """
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
                    """
            )
        }
        m.registerMigration("v2: hourly rollups and duration bins") { db in
            // A virtual column: adding it rewrites no rows.
            try db.execute(sql: "ALTER TABLE requests ADD COLUMN duration_bin INTEGER GENERATED ALWAYS AS (\(DurationBins.sqlExpression)) VIRTUAL")
            try db.execute(
                sql: """
                    CREATE INDEX requests_duration_bin ON requests(duration_bin, started_at, duration_ms, env, model);
                    CREATE INDEX requests_error ON requests(is_error, id);
                    """
            )
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
        let detail = Detail(
            requestHeaders: r.requestHeaders,
            responseHeaders: r.responseHeaders,
            requestBody: r.requestBody,
            responseBody: r.responseBody,
            choices: r.choices
        )
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
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO requests (id, started_at, env, model, provider, status, is_error, complete, input_tokens,
                    output_tokens, total_tokens, cost, duration_ms, search, summary, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET started_at = excluded.started_at, env = excluded.env, model = excluded.model,
                    provider = excluded.provider, status = excluded.status, is_error = excluded.is_error,
                    complete = excluded.complete, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                    total_tokens = excluded.total_tokens, cost = excluded.cost, duration_ms = excluded.duration_ms,
                    search = excluded.search, summary = excluded.summary, detail = excluded.detail
                """
        )
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
        return TraceRecord(
            summary: summary,
            requestHeaders: detail.requestHeaders,
            responseHeaders: detail.responseHeaders,
            requestBody: detail.requestBody,
            responseBody: detail.responseBody,
            choices: detail.choices
        )
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

    // MARK: Retention

    public func prune(olderThan cutoff: Date?, keepNewest: Int?, limit: Int) async throws -> Int {
        let limit = max(1, limit)
        return try await pool.write { db in
            var ids: [String] = []
            if let cutoff {
                ids = try String.fetchAll(
                    db,
                    sql: "SELECT id FROM requests WHERE started_at < ? ORDER BY started_at LIMIT ?",
                    arguments: [cutoff.timeIntervalSince1970, limit]
                )
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

    @discardableResult
    public func clear(environments: Set<String>) async throws -> Int {
        guard !environments.isEmpty else { return 0 }
        let envs = environments.sorted()
        let marks = Array(repeating: "?", count: envs.count).joined(separator: ", ")
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM requests WHERE env IN (\(marks))", arguments: StatementArguments(envs))
            let removed = db.changesCount
            // Rollups are kept per environment: theirs go with them.
            try db.execute(sql: "DELETE FROM rollup_hourly WHERE env IN (\(marks))", arguments: StatementArguments(envs))
            return removed
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM requests") ?? 0 }
    }

    public func close() async throws {
        try pool.close()
    }
}
