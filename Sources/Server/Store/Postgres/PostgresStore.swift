import Foundation
import LLMTraceModel
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Records in a PostgreSQL database, through postgres-nio's pooled ``PostgresClient``.
///
/// One row per record in `llmtrace_requests`, with typed columns: every summary field is a column of its
/// own, headers, tool calls and choices are JSON in `bytea` columns, and bodies are their raw bytes in
/// `bytea` columns (never base64 or one JSON document per record). The schema is versioned in
/// `llmtrace_migrations` and migrated under `pg_advisory_lock`, so nodes starting together create it
/// once; a database migrated by a newer llmtrace refuses to start.
///
/// Lists push what they can into SQL (a condition every match meets), then test the full filter on each
/// summary, so answers equal ``MemoryStore``'s. Statistics and timeseries are computed from the matching
/// records' samples (``TraceStore/accumulatedStats(filter:)``); rollups are not there yet.
///
/// The store is a `Service`: in `llmtrace serve` it runs in the service group and closes the pool on
/// graceful shutdown. The pool itself runs from ``connect(_:schema:logger:)`` until ``close()``.
public final class PostgresStore: TraceStore, Service {
    /// Where the store connects, password redacted in its description.
    public let url: DatabaseURL
    /// The schema holding the tables (`public` unless a test asks for its own).
    public let schema: String
    /// The node this store saves for: written with every record, so other nodes know whose it is.
    public let node: String
    let client: PostgresClient
    /// One connection of the pool's kind, for the `LISTEN` connection that follows other nodes.
    let connectionConfiguration: PostgresConnection.Configuration
    let logger: Logger
    private let runner: Task<Void, Never>
    /// The first window of ids a filter-language or text read goes through (``summaries(filter:before:limit:)``).
    let firstIDWindow: Int

    /// The most rows one `INSERT` writes (a batch of more is written in several statements, in one transaction).
    static let rowsPerInsert = 200

    private init(
        url: DatabaseURL,
        schema: String,
        node: String,
        client: PostgresClient,
        runner: Task<Void, Never>,
        connectionConfiguration: PostgresConnection.Configuration,
        firstIDWindow: Int,
        logger: Logger
    ) {
        self.firstIDWindow = max(1, firstIDWindow)
        self.connectionConfiguration = connectionConfiguration
        self.url = url
        self.schema = schema
        self.node = node
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    /// Connects to the database `url` names, creates or migrates the schema, and returns the store.
    ///
    /// Fails with a ``StoreError`` that names the server (password redacted) when it cannot be reached,
    /// the login is refused, or the database was migrated by a newer llmtrace. `firstIDWindow` is the
    /// first window of ids a filter-language or text read goes through (tests make it small).
    public static func connect(
        _ url: DatabaseURL,
        schema: String? = nil,
        node: String = "",
        firstIDWindow: Int = 10_000,
        logger: Logger = Logger(label: "llmtrace.postgres")
    ) async throws -> PostgresStore {
        let connector = try PostgresConnector(url, schema: schema, maximumConnections: url.poolSize)
        try await connector.probe(doing: "cannot connect to", logger: logger)
        let pool = await connector.startPool(logger: logger)
        let store = PostgresStore(
            url: url,
            schema: connector.schema,
            node: node,
            client: pool.client,
            runner: pool.runner,
            connectionConfiguration: connector.connectionConfiguration,
            firstIDWindow: firstIDWindow,
            logger: logger
        )
        do {
            try await store.migrate()
        } catch {
            try? await store.close()
            throw store.describe(error, doing: "cannot open")
        }
        return store
    }

    public var description: String { "postgres \(url)" }

    /// `schema.name`, quoted.
    func table(_ name: String) -> String { "\"\(schema)\".\"\(name)\"" }

    // MARK: Service

    /// Waits for graceful shutdown, then closes the pool (after the capture pipeline has flushed).
    public func run() async throws {
        try? await gracefulShutdown()
    }

    // MARK: TraceStore

    public func save(_ records: [TraceRecord]) async throws {
        guard !records.isEmpty else { return }
        // The same id twice in one statement is an error in PostgreSQL (ON CONFLICT cannot touch a row twice).
        let unique = RecordLayout.latestVersions(records)
        let statements = try stride(from: 0, to: unique.count, by: Self.rowsPerInsert).map { start in
            try insertQuery(unique[start..<min(start + Self.rowsPerInsert, unique.count)])
        }
        let all = statements + notifications(unique.map(\.id))
        let ids = unique.map(\.id)
        let samples = unique.map { StatsSample($0.summary) }
        try await run(doing: "cannot save records to", within: saveLimit) {
            try await self.client.withTransaction(logger: self.logger) { connection in
                // The rollups move by what the stored versions counted and what the new ones count.
                var changes = RollupChanges()
                for old in try await self.storedSamples(ids, on: connection) { changes.subtract(old) }
                for new in samples { changes.add(new) }
                for statement in all { try await connection.query(statement, logger: self.logger) }
                try await self.apply(changes, on: connection)
            }
        }
    }

    public func record(id: String) async throws -> TraceRecord? {
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(RecordLayout.allColumnNames) FROM \(table(RecordLayout.table)) WHERE id = $1",
            binds: PostgresBindings([.text(id)])
        )
        return try await run(doing: "cannot read from", within: readLimit) { () -> TraceRecord? in
            for try await row in try await self.client.query(query, logger: self.logger) {
                return try RecordLayout.record(row.makeRandomAccess())
            }
            return nil
        }
    }

    public func list(filter: RequestFilter, page: PageRequest) async throws -> Page {
        try await SummaryPages.list(filter: filter, page: page) { try await summaries(filter: filter, before: $0, limit: $1) }
    }

    public func sessions(filter: RequestFilter, minTurns: Int, limit: Int) async throws -> [SessionSummary] {
        let condition = SessionLayout.condition(.postgres, filter)
        let sql = SessionLayout.listSQL(.postgres, table: table(RecordLayout.table), condition: condition, minTurns: minTurns, limit: limit)
        let query = PostgresQuery(unsafeSQL: sql, binds: PostgresBindings(condition.values))
        return try await run(doing: "cannot read from", within: readLimit) {
            var sessions: [SessionSummary] = []
            for try await row in try await self.client.query(query, logger: self.logger) {
                sessions.append(try SessionLayout.summary(row.makeRandomAccess(), .postgres))
            }
            return sessions
        }
    }

    public func forEachSample(filter: RequestFilter, _ body: (StatsSample) -> Void) async throws {
        try await SummaryPages.forEachSample(filter: filter, body) { try await summaries(filter: filter, before: $0, limit: $1) }
    }

    /// Summaries meeting the SQL part of `filter` with ids below `before`, newest first.
    /// Up to `limit` summaries meeting the SQL part of `filter` with ids below `before`, newest first.
    ///
    /// PostgreSQL cannot tell how many rows a filter-language or text condition keeps (`lower(provider)
    /// LIKE …`, token sums): it guesses a handful, then reads the whole table and sorts it (a second on a
    /// million records). Such reads go through windows of ids instead, newest first, each a bounded range
    /// of the primary key (10 000 ids, then twice as many each time), until `limit` are found.
    private func summaries(filter: RequestFilter, before: String?, limit: Int) async throws -> [TraceSummary] {
        guard filter.expression != nil || filter.text != nil else {
            return try await summaries(filter: filter, below: before, from: nil, limit: limit)
        }
        var found: [TraceSummary] = []
        var upper = before
        var window = firstIDWindow
        while found.count < limit {
            let lower = try await id(at: window - 1, below: upper)
            found += try await summaries(filter: filter, below: upper, from: lower, limit: limit - found.count)
            guard let lower else { break }
            upper = lower
            window = min(window * 2, 32 * firstIDWindow)
        }
        return found
    }

    /// The id `offset` places below `upper` (newest first), or `nil` when fewer ids are left.
    private func id(at offset: Int, below upper: String?) async throws -> String? {
        var condition = SQLCondition(.postgres)
        if let upper { condition.append("id < \(condition.bind(.text(upper)))") }
        let sql = "SELECT id FROM \(table(RecordLayout.table))\(condition.whereClause) ORDER BY id DESC OFFSET \(offset) LIMIT 1"
        let query = PostgresQuery(unsafeSQL: sql, binds: PostgresBindings(condition.values))
        return try await run(doing: "cannot read from", within: readLimit) {
            for try await id in try await self.client.query(query, logger: self.logger).decode(String.self) { return id }
            return nil
        }
    }

    /// Up to `limit` summaries meeting the SQL part of `filter` with ids below `below` and from `from` on.
    private func summaries(filter: RequestFilter, below before: String?, from lowest: String?, limit: Int) async throws -> [TraceSummary] {
        var condition = SQLCondition(.postgres)
        condition.add(filter)
        if let before { condition.append("id < \(condition.bind(.text(before)))") }
        if let lowest { condition.append("id >= \(condition.bind(.text(lowest)))") }
        let sql =
            "SELECT \(RecordLayout.summaryColumnNames) FROM \(table(RecordLayout.table))\(condition.whereClause) ORDER BY id DESC LIMIT \(limit)"
        let query = PostgresQuery(unsafeSQL: sql, binds: PostgresBindings(condition.values))
        return try await run(doing: "cannot read from", within: readLimit) {
            var summaries: [TraceSummary] = []
            for try await row in try await self.client.query(query, logger: self.logger) {
                summaries.append(try RecordLayout.summary(row.makeRandomAccess()))
            }
            return summaries
        }
    }

    // MARK: Retention

    public func prune(olderThan cutoff: Date?, keepNewest: Int?, limit: Int) async throws -> Int {
        let limit = max(1, limit)
        let requests = table(RecordLayout.table)
        return try await run(doing: "cannot prune", within: saveLimit) {
            try await self.client.withTransaction(logger: self.logger) { connection in
                var ids: [String] = []
                if let cutoff {
                    let query = PostgresQuery(
                        unsafeSQL: "SELECT id FROM \(requests) WHERE started_at < $1 ORDER BY id LIMIT \(limit)",
                        binds: PostgresBindings([.real(cutoff.timeIntervalSince1970)])
                    )
                    for try await id in try await connection.query(query, logger: self.logger).decode(String.self) { ids.append(id) }
                }
                if let keepNewest, ids.count < limit {
                    var total = 0
                    for try await n in try await connection.query("SELECT count(*) FROM \(unescaped: requests)", logger: self.logger).decode(Int.self)
                    { total = n }
                    let wanted = min(total - ids.count - max(0, keepNewest), limit - ids.count)
                    if wanted > 0 {
                        let taken = Set(ids)
                        let query = PostgresQuery(unsafeSQL: "SELECT id FROM \(requests) ORDER BY id LIMIT \(wanted + taken.count)")
                        var oldest: [String] = []
                        for try await id in try await connection.query(query, logger: self.logger).decode(String.self) { oldest.append(id) }
                        ids += oldest.lazy.filter { !taken.contains($0) }.prefix(wanted)
                    }
                }
                guard !ids.isEmpty else { return 0 }
                var changes = RollupChanges()
                for old in try await self.storedSamples(ids, on: connection) { changes.subtract(old) }
                try await connection.query("DELETE FROM \(unescaped: requests) WHERE id = ANY(\(ids))", logger: self.logger)
                try await self.apply(changes, on: connection)
                return ids.count
            }
        }
    }

    public func clear() async throws {
        let requests = table(RecordLayout.table)
        let rollups = self.rollups
        try await run(doing: "cannot clear", within: saveLimit) {
            try await self.client.withTransaction(logger: self.logger) { connection in
                try await connection.query("DELETE FROM \(unescaped: requests)", logger: self.logger)
                try await connection.query("DELETE FROM \(unescaped: rollups)", logger: self.logger)
            }
        }
    }

    @discardableResult
    public func clear(environments: Set<String>) async throws -> Int {
        guard !environments.isEmpty else { return 0 }
        let requests = table(RecordLayout.table)
        let rollups = self.rollups
        let envs = environments.sorted()
        return try await run(doing: "cannot clear", within: saveLimit) {
            try await self.client.withTransaction(logger: self.logger) { connection in
                var binds = PostgresBindings()
                binds.append(envs)
                let query = PostgresQuery(unsafeSQL: "DELETE FROM \(requests) WHERE env = ANY($1)", binds: binds)
                let future: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: self.logger)
                let removed = try await future.get().metadata.rows ?? 0
                // Rollups are kept per environment: theirs go with them.
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(rollups) WHERE env = ANY($1)", binds: binds), logger: self.logger)
                return removed
            }
        }
    }

    public func count() async throws -> Int {
        let requests = table(RecordLayout.table)
        return try await run(doing: "cannot count records in", within: readLimit) {
            for try await n in try await self.client.query("SELECT count(*) FROM \(unescaped: requests)", logger: self.logger).decode(Int.self) {
                return n
            }
            return 0
        }
    }

    /// Closes the pool's connections. Idempotent.
    public func close() async throws {
        await PostgresConnector.stopPool(runner, url: url, logger: logger)
    }

    /// How long a read may wait (for a connection, then for its answer) before it fails: the URL's
    /// `connect_timeout`, so the API answers quickly, with the reason, while the server is down.
    var readLimit: Duration { .milliseconds(Int64(url.connectTimeoutSeconds * 1000)) }
    /// How long a write may take: six times as long (a minute by default), since a batch may be large and
    /// a busy server slow, but bounded, so a capture write stuck on a server that went away fails
    /// (capture then keeps the records and tries again).
    var saveLimit: Duration { readLimit * 6 }

    /// Runs `operation` within `limit`, its failures explained (``describe(_:doing:)``).
    func run<T: Sendable>(doing what: String, within limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withDeadline(limit, "PostgreSQL: \(what) \(url)", operation)
        } catch {
            throw describe(error, doing: what)
        }
    }

    /// A failure in words a user can act on: what was being done, the server (password redacted), and
    /// what PostgreSQL said.
    func describe(_ error: any Error, doing what: String) -> StoreError {
        Self.describe(error, url: url, doing: what)
    }

    static func describe(_ error: any Error, url: DatabaseURL, doing what: String) -> StoreError {
        if let e = error as? StoreError { return e }
        // A failed transaction: what failed inside it says more than the wrapper.
        if let t = error as? PostgresTransactionError, let inner = t.closureError ?? t.beginError ?? t.commitError {
            return describe(inner, url: url, doing: what)
        }
        var detail: String
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                detail = message
                if let code = e.serverInfo?[.sqlState] { detail += " (SQLSTATE \(code))" }
            } else if let underlying = e.underlying {
                detail = "\(underlying)"
            } else {
                detail = "\(e.code)"
            }
        } else {
            detail = "\(error)"
        }
        if let password = url.password, !password.isEmpty { detail = detail.replacingOccurrences(of: password, with: "***") }
        return StoreError("PostgreSQL: \(what) \(url): \(detail)", kind: kind(of: error))
    }

    /// `.io` for failures that pass when the server is back (connection refused or lost, the server
    /// shutting down or out of resources), `.busy` for a transaction to run again (a deadlock or a
    /// serialization failure), `.other` for what running again would not change (bad data, a bug).
    static func kind(of error: any Error) -> StoreError.Kind {
        guard let e = error as? PSQLError else { return error is EncodingError ? .other : .io }
        if let state = e.serverInfo?[.sqlState] {
            switch state.prefix(2) {
            case "08", "53", "57": return .io
            case "40": return .busy
            default: return .other
            }
        }
        switch e.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed, .queryCancelled: return .io
        default: return .other
        }
    }
}
