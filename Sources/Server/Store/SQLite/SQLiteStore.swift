import Foundation
import GRDB
import GRDBSQLite
import LLMTraceModel
import Logging

/// Records in a SQLite file (WAL mode), through GRDB, in the shared record layout (``RecordLayout``):
/// one row per record in `llmtrace_requests`, every summary field a typed column, headers as lines and
/// bodies as raw bytes in BLOB columns. No JSON document per record. The schema is versioned by GRDB
/// migrations; a file made by the older JSON-document schema is converted when it is first opened
/// (``convertLegacyRecords(_:path:logger:)``).
///
/// Statistics and timeseries filtered by environment, model and time at most are answered by
/// ``RollupAggregator`` from the hourly rollup table (``RollupLayout``), kept in step with the records
/// in the same transaction as every save and delete; this store is its ``RollupSource``
/// (``SQLiteRollupSource``). Other filters read the matching records.
public final class SQLiteStore: TraceStore {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) and migrates the database at `path`, converting a file made by an
    /// older llmtrace (progress is logged to `logger`).
    ///
    /// `readOnly` opens an existing, already migrated database without write access, as SQLite does by
    /// itself when the file cannot be opened for writing: every save then fails with a ``StoreError`` of
    /// kind ``StoreError/Kind/readOnly``. A database made by a newer llmtrace is refused.
    public init(path: String, readOnly: Bool = false, logger: Logger = Logger(label: "llmtrace.sqlite")) throws {
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
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError("cannot open SQLite database \(path): \(error)")
        }
        do {
            let migrator = Self.migrator
            let (applied, complete, legacy) = try pool.read { db in
                (try migrator.appliedIdentifiers(db), try migrator.hasCompletedMigrations(db), try db.tableExists(Self.legacyTable))
            }
            if !applied.subtracting(migrator.migrations).subtracting(Self.legacyMigrations).isEmpty {
                throw StoreError(
                    "\(path) was written by a newer llmtrace (its schema is newer than this build knows); upgrade llmtrace or use another --db"
                )
            }
            if readOnly {
                if !complete || legacy {
                    throw StoreError("\(path) was written by an older llmtrace and must be converted first: open it once with write access")
                }
            } else {
                try migrator.migrate(pool)
                try Self.convertLegacyRecords(pool, path: path, logger: logger)
            }
        } catch let error as StoreError {
            try? pool.close()
            throw error
        } catch {
            try? pool.close()
            throw StoreError("cannot open SQLite database \(path): \(error)")
        }
    }

    public var description: String { "sqlite \(path)" }

    public func save(_ records: [TraceRecord]) async throws {
        let path = self.path
        // The values are made on the database's writer queue with the insert: never on an event loop,
        // where they would hold up the traffic of every connection on that loop.
        try await pool.writeWithoutTransaction { db in
            do {
                try db.inTransaction {
                    try Self.insert(records, db)
                    return .commit
                }
            } catch {
                // The OS error behind a failed write (ENOSPC, EFBIG, EROFS…) tells the user what to fix.
                throw StoreError.describe(error, systemErrno: sqlite3_system_errno(db.sqliteConnection), path: path)
            }
        }
    }

    /// Inserts or replaces `records`, and moves the hourly rollups by the difference.
    private static func insert(_ records: [TraceRecord], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: insertSQL)
        var changes = RollupChanges()
        for record in records {
            if let old = try storedSample(record.id, db) { changes.subtract(old) }
            changes.add(StatsSample(record.summary))
            try statement.execute(arguments: StatementArguments(try RecordLayout.values(of: record)))
        }
        try apply(changes, db)
    }

    public func record(id: String) async throws -> TraceRecord? {
        try await pool.read { db in
            let statement = try db.cachedStatement(sql: "SELECT \(RecordLayout.allColumnNames) FROM \(Self.requests) WHERE id = ?")
            return try Row.fetchOne(statement, arguments: [id]).map { try RecordLayout.record($0) }
        }
    }

    public func list(filter: RequestFilter, page: PageRequest) async throws -> Page {
        try await SummaryPages.list(filter: filter, page: page) { try await summaries(filter: filter, before: $0, limit: $1) }
    }

    /// Summaries meeting the SQL part of `filter` (``SQLCondition``) with ids below `before`, newest first.
    private func summaries(filter: RequestFilter, before: String?, limit: Int) async throws -> [TraceSummary] {
        var condition = SQLCondition(.sqlite)
        condition.add(filter)
        if let before { condition.append("id < \(condition.bind(.text(before)))") }
        let sql = Self.newestFirst(condition, limit: limit)
        return try await read(sql, StatementArguments(condition.values)) { try RecordLayout.summary($0) }
    }

    /// `make` of each row `sql` returns, read through a cursor (no row is copied first).
    private func read<T: Sendable>(_ sql: String, _ arguments: StatementArguments, _ make: @escaping @Sendable (Row) throws -> T) async throws -> [T]
    {
        try await pool.read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            var out: [T] = []
            while let row = try rows.next() { out.append(try make(row)) }
            return out
        }
    }

    public func sessions(filter: RequestFilter, minTurns: Int, limit: Int) async throws -> [SessionSummary] {
        let condition = SessionLayout.condition(.sqlite, filter)
        let sql = SessionLayout.listSQL(.sqlite, table: Self.requests, condition: condition, minTurns: minTurns, limit: limit)
        return try await read(sql, StatementArguments(condition.values)) { try SessionLayout.summary($0, .sqlite) }
    }

    public func forEachSample(filter: RequestFilter, _ body: (StatsSample) -> Void) async throws {
        var condition = SQLCondition(.sqlite)
        condition.add(filter)
        let arguments = StatementArguments(condition.values)
        // SQL says exactly which records match environment, model, status and time; text and the filter
        // language are tested in Swift on each summary.
        guard filter.expression == nil, (filter.text ?? "").isEmpty else {
            let sql = "SELECT \(RecordLayout.summaryColumnNames) FROM \(Self.requests)\(condition.whereClause)"
            let summaries = try await read(sql, arguments) { try RecordLayout.summary($0) }
            for summary in summaries where filter.matches(summary) { body(StatsSample(summary)) }
            return
        }
        let sql = "SELECT \(RollupLayout.sessionSampleColumnNames) FROM \(Self.requests)\(condition.whereClause)"
        try await read(sql, arguments) { try RollupLayout.sample($0, session: true) }.forEach(body)
    }

    // MARK: Retention

    public func prune(olderThan cutoff: Date?, keepNewest: Int?, limit: Int) async throws -> Int {
        let limit = max(1, limit)
        let requests = Self.requests
        return try await pool.write { db in
            var ids: [String] = []
            if let cutoff {
                ids = try String.fetchAll(
                    db,
                    sql: "SELECT id FROM \(requests) WHERE started_at < ? ORDER BY started_at LIMIT ?",
                    arguments: [cutoff.timeIntervalSince1970, limit]
                )
            }
            if let keepNewest, ids.count < limit {
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(requests)") ?? 0
                let wanted = min(total - ids.count - max(0, keepNewest), limit - ids.count)
                if wanted > 0 {
                    let taken = Set(ids)
                    let oldest = try String.fetchAll(db, sql: "SELECT id FROM \(requests) ORDER BY id LIMIT ?", arguments: [wanted + taken.count])
                    ids += oldest.lazy.filter { !taken.contains($0) }.prefix(wanted)
                }
            }
            guard !ids.isEmpty else { return 0 }
            let delete = try db.cachedStatement(sql: "DELETE FROM \(requests) WHERE id = ?")
            var changes = RollupChanges()
            for id in ids {
                guard let sample = try Self.storedSample(id, db) else { continue }
                changes.subtract(sample)
                try delete.execute(arguments: [id])
            }
            try Self.apply(changes, db)
            return ids.count
        }
    }

    public func clear() async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM \(Self.requests)")
            try db.execute(sql: "DELETE FROM \(Self.rollups)")
        }
    }

    @discardableResult
    public func clear(environments: Set<String>) async throws -> Int {
        guard !environments.isEmpty else { return 0 }
        let envs = environments.sorted()
        let marks = Array(repeating: "?", count: envs.count).joined(separator: ", ")
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM \(Self.requests) WHERE env IN (\(marks))", arguments: StatementArguments(envs))
            let removed = db.changesCount
            // Rollups are kept per environment: theirs go with them.
            try db.execute(sql: "DELETE FROM \(Self.rollups) WHERE env IN (\(marks))", arguments: StatementArguments(envs))
            return removed
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(Self.requests)") ?? 0 }
    }

    public func close() async throws {
        try pool.close()
    }
}
