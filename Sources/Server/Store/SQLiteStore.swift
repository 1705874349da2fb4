import Foundation
import GRDB
import GRDBSQLite
import Shared

/// Records in a SQLite file (WAL mode), through GRDB. The schema is versioned by GRDB migrations; the
/// columns that filters and statistics read are plain indexed columns, the rest is JSON.
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
        return m
    }

    public func save(_ records: [TraceRecord]) async throws {
        let rows = try records.map { r -> StatementArguments in
            let s = r.summary
            let detail = Detail(requestHeaders: r.requestHeaders, responseHeaders: r.responseHeaders, requestBody: r.requestBody, responseBody: r.responseBody)
            return [
                s.id, s.startedAt.timeIntervalSince1970, s.env, s.model, s.provider, s.status, s.isError, s.complete,
                s.usage.inputTokens, s.usage.outputTokens, s.usage.totalTokens, s.estimatedCost, s.durationMs,
                Self.searchText(s), String(decoding: try encoder.encode(s), as: UTF8.self),
                String(decoding: try encoder.encode(detail), as: UTF8.self),
            ]
        }
        let path = self.path
        try await pool.writeWithoutTransaction { db in
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

    private static func insert(_ rows: [StatementArguments], _ db: Database) throws {
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
        for args in rows {
            try statement.execute(arguments: args)
        }
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
        let sql = "SELECT summary FROM requests" + Self.joined(clause) + " ORDER BY id DESC LIMIT \(page.limit + 1)"
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
        let batch = 500
        while items.count <= page.limit {
            var clause = baseClause
            var args = baseArgs
            if let cursor {
                clause.append("id < ?")
                args += [cursor]
            }
            let sql = "SELECT summary FROM requests" + Self.joined(clause) + " ORDER BY id DESC LIMIT \(batch)"
            let arguments = args
            let texts = try await pool.read { db in try String.fetchAll(db, sql: sql, arguments: arguments) }
            for text in texts {
                let summary = try decoder.decode(TraceSummary.self, from: Data(text.utf8))
                cursor = summary.id
                if filter.matches(summary) { items.append(summary) }
                if items.count > page.limit { break }
            }
            if texts.count < batch { break }
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
        let sql = "SELECT env, model, input_tokens, output_tokens, total_tokens, cost, duration_ms, is_error, started_at FROM requests" + Self.joined(clause)
        let samples = try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: args).map { row in
                StatsSample(
                    env: row[0], model: row[1], inputTokens: row[2], outputTokens: row[3], totalTokens: row[4],
                    estimatedCost: row[5], durationMs: row[6], isError: row[7],
                    startedAt: Date(timeIntervalSince1970: row[8]))
            }
        }
        samples.forEach(body)
    }

    public func clear() async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM requests") }
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
        return (clause, args)
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
