import Foundation
import LLMTraceModel
import Logging
import NIOPosix
import ServiceLifecycle

/// Records in a MySQL 8 or MariaDB 10.6+ database, through the MariaDB C client.
///
/// One row per record in `llmtrace_requests` (InnoDB, utf8mb4), in the layout every SQL store shares
/// (``RecordLayout``): typed columns for the summary, headers as lines and bodies as their raw bytes in
/// `LONGBLOB`s. The schema is versioned in `llmtrace_migrations` and migrated under `GET_LOCK`, so
/// nodes starting together create it once; a database migrated by a newer llmtrace refuses to start.
///
/// The client's calls block, so they run on a ``MySQLConnectionPool``: `url.poolSize` threads of its
/// own, each using one connection at a time. Values are always bound to prepared statements. A
/// connection lost between calls is replaced by a new one, and the failure is a ``StoreError`` of
/// kind ``StoreError/Kind/io``.
///
/// Lists push what they can into SQL (``SQLCondition``), then test the full filter on each summary, so
/// answers equal ``MemoryStore``'s. Statistics and timeseries are computed from the matching records'
/// samples (``TraceStore/accumulatedStats(filter:)``).
///
/// The store is a `Service`: in `llmtrace serve` it runs in the service group and closes its
/// connections on graceful shutdown.
public final class MySQLStore: TraceStore, Service {
    /// Where the store connects, password redacted in its description.
    public let url: DatabaseURL
    /// The node this store saves for: written with every record, so other nodes know whose it is.
    public let node: String
    let pool: MySQLConnectionPool
    let logger: Logger

    /// The most rows one `INSERT` writes (a batch of more is written in several statements, in one transaction).
    static let rowsPerInsert = 200
    /// How many times a save that lost a deadlock (or timed out on a lock) is run again.
    static let conflictRetries = 5

    static let requests = SQLDialect.mysql.quoted(RecordLayout.table)
    static let migrationsTable = SQLDialect.mysql.quoted("llmtrace_migrations")

    private init(url: DatabaseURL, node: String, pool: MySQLConnectionPool, logger: Logger) {
        self.url = url
        self.node = node
        self.pool = pool
        self.logger = logger
    }

    /// Connects to the database `url` names (or `database`, on the same server), creates or migrates
    /// the schema, and returns the store.
    ///
    /// Fails with a ``StoreError`` that names the server (password redacted) when it cannot be reached,
    /// the login is refused, the database does not exist, or it was migrated by a newer llmtrace.
    public static func connect(
        _ url: DatabaseURL,
        database: String? = nil,
        node: String = "",
        logger: Logger = Logger(label: "llmtrace.mysql")
    ) async throws -> MySQLStore {
        guard url.engine == .mysql else { throw StoreError("\(url) is not a MySQL URL") }
        var url = url
        if let database { url.database = database }
        let pool = MySQLConnectionPool(url: url, logger: logger)
        let store = MySQLStore(url: url, node: node, pool: pool, logger: logger)
        do {
            // The first connection says at once why the server cannot be reached or refuses the login.
            try await pool.withConnection(retryingLostConnection: false) { _ in }
        } catch {
            await pool.shutdown()
            throw describe(error, url: url, doing: "cannot connect to")
        }
        do {
            try await pool.withConnection(retryingLostConnection: false) { connection in try store.migrate(on: connection) }
        } catch {
            await pool.shutdown()
            throw store.describe(error, doing: "cannot open")
        }
        return store
    }

    public var description: String { "mysql \(url)" }

    // MARK: Service

    /// Waits for graceful shutdown (the store is closed after the capture pipeline has flushed).
    public func run() async throws {
        try? await gracefulShutdown()
    }

    // MARK: TraceStore

    public func save(_ records: [TraceRecord]) async throws {
        guard !records.isEmpty else { return }
        let unique = RecordLayout.latestVersions(records)
        let rows = try unique.map { try RecordLayout.values(of: $0, node: node) }
        let samples = Dictionary(uniqueKeysWithValues: unique.map { ($0.id, StatsSample($0.summary)) })
        let database = url.database
        let outcome: (tooLarge: [String], packetLimit: Int)
        do {
            outcome = try await pool.withConnection { connection in
                let tooLarge = try Self.holdingSaveLock(database, on: connection) { try Self.write(rows, samples: samples, on: connection) }
                return (tooLarge, connection.maxAllowedPacket)
            }
        } catch {
            throw describe(error, doing: "cannot save records to")
        }
        let (tooLarge, packetLimit) = outcome
        guard tooLarge.isEmpty else {
            throw StoreError(
                "MySQL: cannot save to \(url): \(tooLarge.joined(separator: "; ")): more than the server's max_allowed_packet (\(packetLimit) bytes). Raise max_allowed_packet on the server (SET GLOBAL max_allowed_packet = 1073741824, and in its configuration file) or lower --max-body; the other records were saved"
            )
        }
    }

    /// Writes `rows` (values of ``RecordLayout/insertColumns``, ids unique) in one transaction with the
    /// rollups moved by `samples` (each record's, by id), run again if it loses a deadlock. Returns the
    /// records left out because a value is over the server's packet limit, described.
    static func write(_ rows: [[ColumnValue]], samples: [String: StatsSample], on connection: MySQLConnection) throws -> [String] {
        var fitting: [[ColumnValue]] = []
        var tooLarge: [String] = []
        for row in rows {
            if let i = row.firstIndex(where: { $0.byteCount > connection.maxAllowedPacket }) {
                tooLarge.append("record \(row.first?.string ?? "?")'s \(RecordLayout.insertColumns[i].name) is \(row[i].byteCount) bytes")
            } else {
                fitting.append(row)
            }
        }
        guard !fitting.isEmpty else { return tooLarge }
        let statements = inserts(
            fitting,
            inlineBudget: max(64 << 10, connection.maxAllowedPacket / 2),
            longDataThreshold: connection.longDataThreshold
        )
        var attempt = 0
        while true {
            do {
                let ids = fitting.compactMap { $0.first?.string }
                try connection.transaction {
                    var changes = RollupChanges()
                    for old in try storedSamples(ids, on: connection) { changes.subtract(old) }
                    for id in ids { if let new = samples[id] { changes.add(new) } }
                    for statement in statements { try connection.execute(statement.sql, statement.values) }
                    try apply(changes, on: connection)
                }
                return tooLarge
            } catch let error as MySQLError where error.isRetryableConflict && attempt < conflictRetries {
                attempt += 1
                usleep(UInt32(5_000 * attempt))
            }
        }
    }

    public func record(id: String) async throws -> TraceRecord? {
        let sql = "SELECT \(RecordLayout.allColumnNames) FROM \(Self.requests) WHERE id = ?"
        do {
            return try await pool.withConnection { connection in
                try connection.query(sql, [.text(id)]).first.map { try RecordLayout.record($0) }
            }
        } catch {
            throw describe(error, doing: "cannot read from")
        }
    }

    public func list(filter: RequestFilter, page: PageRequest) async throws -> Page {
        try await SummaryPages.list(filter: filter, page: page) { try await summaries(filter: filter, before: $0, limit: $1) }
    }

    public func sessions(filter: RequestFilter, minTurns: Int, limit: Int) async throws -> [SessionSummary] {
        let condition = SessionLayout.condition(.mysql, filter)
        let sql = SessionLayout.listSQL(.mysql, table: Self.requests, condition: condition, minTurns: minTurns, limit: limit)
        let values = condition.values
        do {
            return try await pool.withConnection { connection in
                try connection.query(sql, values).map { try SessionLayout.summary($0, .mysql) }
            }
        } catch {
            throw describe(error, doing: "cannot read from")
        }
    }

    public func forEachSample(filter: RequestFilter, _ body: (StatsSample) -> Void) async throws {
        try await SummaryPages.forEachSample(filter: filter, body) { try await summaries(filter: filter, before: $0, limit: $1) }
    }

    /// Summaries meeting the SQL part of `filter` with ids below `before`, newest first.
    private func summaries(filter: RequestFilter, before: String?, limit: Int) async throws -> [TraceSummary] {
        var condition = SQLCondition(.mysql)
        condition.add(filter)
        if let before { condition.append("id < \(condition.bind(.text(before)))") }
        let sql =
            "SELECT \(RecordLayout.summaryColumnNames) FROM \(Self.requests)\(condition.whereClause) ORDER BY id DESC LIMIT \(max(0, limit))"
        let values = condition.values
        do {
            return try await pool.withConnection { connection in
                try connection.query(sql, values).map { try RecordLayout.summary($0) }
            }
        } catch {
            throw describe(error, doing: "cannot read from")
        }
    }

    // MARK: Retention

    public func prune(olderThan cutoff: Date?, keepNewest: Int?, limit: Int) async throws -> Int {
        let limit = max(1, limit)
        let requests = Self.requests
        do {
            // Not run again on a lost connection: a commit whose answer was lost would delete twice.
            return try await pool.withConnection(retryingLostConnection: false) { connection in
                try connection.transaction {
                    var ids: [String] = []
                    if let cutoff {
                        ids = try connection.query(
                            "SELECT id FROM \(requests) WHERE started_at < ? ORDER BY id LIMIT \(limit)",
                            [.real(cutoff.timeIntervalSince1970)]
                        ).compactMap { $0.values.first?.string }
                    }
                    if let keepNewest, ids.count < limit {
                        let total = try connection.query("SELECT count(*) FROM \(requests)").first?.values.first?.int ?? 0
                        let wanted = min(total - ids.count - max(0, keepNewest), limit - ids.count)
                        if wanted > 0 {
                            let taken = Set(ids)
                            let oldest = try connection.query("SELECT id FROM \(requests) ORDER BY id LIMIT \(wanted + taken.count)")
                                .compactMap { $0.values.first?.string }
                            ids += oldest.lazy.filter { !taken.contains($0) }.prefix(wanted)
                        }
                    }
                    var changes = RollupChanges()
                    for old in try Self.storedSamples(ids, on: connection) { changes.subtract(old) }
                    for start in stride(from: 0, to: ids.count, by: 1000) {
                        let chunk = ids[start..<min(start + 1000, ids.count)]
                        let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                        try connection.execute("DELETE FROM \(requests) WHERE id IN (\(placeholders))", chunk.map { ColumnValue.text($0) })
                    }
                    try Self.apply(changes, on: connection)
                    return ids.count
                }
            }
        } catch {
            throw describe(error, doing: "cannot prune")
        }
    }

    public func clear() async throws {
        do {
            try await pool.withConnection { connection in
                try connection.transaction {
                    _ = try connection.execute("DELETE FROM \(Self.requests)", [])
                    _ = try connection.execute("DELETE FROM \(Self.rollups)", [])
                }
            }
        } catch {
            throw describe(error, doing: "cannot clear")
        }
    }

    @discardableResult
    public func clear(environments: Set<String>) async throws -> Int {
        guard !environments.isEmpty else { return 0 }
        let envs = environments.sorted()
        let marks = Array(repeating: "?", count: envs.count).joined(separator: ", ")
        do {
            return try await pool.withConnection(retryingLostConnection: false) { connection in
                try connection.transaction {
                    let removed = try connection.execute("DELETE FROM \(Self.requests) WHERE env IN (\(marks))", envs.map { ColumnValue.text($0) })
                    // Rollups are kept per environment: theirs go with them.
                    _ = try connection.execute("DELETE FROM \(Self.rollups) WHERE env IN (\(marks))", envs.map { ColumnValue.text($0) })
                    return removed
                }
            }
        } catch {
            throw describe(error, doing: "cannot clear")
        }
    }

    public func count() async throws -> Int {
        do {
            return try await pool.withConnection { connection in
                try connection.query("SELECT count(*) FROM \(Self.requests)").first?.values.first?.int ?? 0
            }
        } catch {
            throw describe(error, doing: "cannot count records in")
        }
    }

    /// Closes the connections and stops the store's threads. Idempotent.
    public func close() async throws {
        await pool.shutdown()
    }

    /// A failure in words a user can act on: what was being done, the server (password redacted), and
    /// what MySQL said.
    func describe(_ error: any Error, doing what: String) -> StoreError {
        Self.describe(error, url: url, doing: what)
    }

    static func describe(_ error: any Error, url: DatabaseURL, doing what: String) -> StoreError {
        if let e = error as? StoreError { return e }
        var detail: String
        var kind = StoreError.Kind.other
        if let e = error as? MySQLError {
            detail = "\(e)"
            if e.isIOError { kind = .io }
            if e.code == 1049 || e.code == 1044 {
                detail +=
                    "; llmtrace needs the database to exist and the user to have all rights on it: CREATE DATABASE `\(url.database)` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin; GRANT ALL ON `\(url.database)`.* TO '\(url.user)'"
            } else if e.isPacketTooLarge {
                detail += "; raise max_allowed_packet on the server (SET GLOBAL max_allowed_packet = 1073741824, and in its configuration file)"
            }
        } else if error is NIOThreadPoolError.ThreadPoolInactive {
            detail = "the store is closed"
        } else {
            detail = "\(error)"
        }
        if let password = url.password, !password.isEmpty { detail = detail.replacingOccurrences(of: password, with: "***") }
        return StoreError("MySQL: \(what) \(url): \(detail)", kind: kind)
    }
}
