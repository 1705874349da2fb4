import Foundation
import Logging

extension MySQLStore {
    /// One schema change, applied once, in order.
    struct Migration: Sendable {
        var version: Int
        var name: String
        var sql: [String]
        /// Work in Swift after the statements.
        var then: (@Sendable (MySQLConnection) throws -> Void)? = nil
    }

    /// Every schema version this build knows, oldest first. Never edit a released one: add the next.
    ///
    /// MySQL commits each DDL statement by itself, so a migration cannot be one transaction: each is
    /// written so that running it again after a crash halfway does no harm (`IF NOT EXISTS`, indexes
    /// inside the `CREATE TABLE`).
    func migrations() -> [Migration] {
        let dialect = SQLDialect.mysql
        return [
            Migration(
                version: 1,
                name: "requests with typed columns",
                sql: [
                    """
                    CREATE TABLE IF NOT EXISTS \(Self.requests) (
                        \(dialect.columnDefinitions(RecordLayout.insertColumns)),
                        saved_at DOUBLE NOT NULL DEFAULT (\(Self.savedAtNow)),
                        PRIMARY KEY (id),
                        INDEX llmtrace_requests_saved_at (saved_at, node, id),
                        INDEX llmtrace_requests_started_at (started_at),
                        INDEX llmtrace_requests_env (env, id),
                        INDEX llmtrace_requests_model (model, id),
                        INDEX llmtrace_requests_status (status, id),
                        INDEX llmtrace_requests_error (is_error, id)
                    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
                    """
                ]
            ),
            Migration(
                version: 2,
                name: "hourly rollups and duration bins",
                sql: [
                    "ALTER TABLE \(Self.requests) ADD COLUMN \(RollupLayout.durationBinColumnSQL(.mysql))",
                    "CREATE INDEX \(Self.durationTimeIndex) ON \(Self.requests) (\(RollupLayout.durationIndexColumns))",
                    RollupLayout.createTableSQL(.mysql, table: Self.rollups).replacingOccurrences(
                        of: "CREATE TABLE",
                        with: "CREATE TABLE IF NOT EXISTS"
                    )
                        + " ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin",
                ],
                then: { connection in try MySQLStore.rebuildRollups(on: connection) }
            ),
            Migration(
                version: 3,
                name: "duration bins indexed in duration order",
                sql: [],
                then: { connection in try MySQLStore.indexDurationsInOrder(on: connection) }
            ),
            Migration(
                version: 4,
                name: "sessions and replays",
                sql: [],
                then: { connection in try MySQLStore.addSessionColumns(on: connection) }
            ),
        ]
    }

    /// The percentile index of ``RollupLayout/durationIndexColumns`` (a time range's records of a bin).
    static let durationTimeIndex = "llmtrace_requests_duration_bin"
    /// Migration 3's percentile index for long ranges: `(duration_bin, duration_ms, …)`, walked in duration
    /// order. Through the other one a whole-range read sorts every record of a bin, and MySQL's sort reads
    /// each sorted record's row again (bodies and all): seconds on a million records, where the walk takes
    /// milliseconds.
    static let durationOrderIndex = "llmtrace_requests_duration_order"

    /// Migration 3. MySQL 8 has no `IF NOT EXISTS` for indexes, so the step asks `information_schema`
    /// (and is harmless to run again).
    static func indexDurationsInOrder(on connection: MySQLConnection) throws {
        let count = try connection.query(
            "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?",
            [.text(RecordLayout.table), .text(durationOrderIndex)]
        ).first?.value(at: 0, as: .integer).int
        guard count == 0 else { return }
        try connection.execute("CREATE INDEX \(durationOrderIndex) ON \(requests) (duration_bin, duration_ms, started_at, env, model)")
    }

    /// Migration 4: the session and replay columns and the session index. A table made by migration 1 of
    /// this build has the columns already; MySQL has no `ADD COLUMN IF NOT EXISTS`, so the step asks
    /// `information_schema` (and is harmless to run again).
    static func addSessionColumns(on connection: MySQLConnection) throws {
        let existing = Set(
            try connection.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?",
                [.text(RecordLayout.table)]
            ).compactMap { try $0.value(at: 0, as: .text).string?.lowercased() }
        )
        for column in RecordLayout.sessionColumns where !existing.contains(column.name) {
            try connection.execute("ALTER TABLE \(requests) ADD COLUMN \(column.name) \(SQLDialect.mysql.typeName(column.type))")
        }
        let count = try connection.query(
            "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?",
            [.text(RecordLayout.table), .text(RecordLayout.sessionIndex)]
        ).first?.value(at: 0, as: .integer).int
        guard count == 0 else { return }
        try connection.execute("CREATE INDEX \(RecordLayout.sessionIndex) ON \(requests) (\(RecordLayout.sessionIndexColumns))")
    }

    /// The `GET_LOCK` name that guards migrations of `database` (at most 64 characters, as MySQL 8 requires).
    static func migrationLockName(_ database: String) -> String {
        lockName("llmtrace.migrations", database: database)
    }

    /// A `GET_LOCK` name for `prefix` in `database`, at most 64 characters (the database hashed when long).
    static func lockName(_ prefix: String, database: String) -> String {
        let name = "\(prefix).\(database)"
        guard name.count > 64 else { return name }
        // FNV-1a: stable across processes (Swift's hashValue is seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in database.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "\(prefix)." + String(hash, radix: 16)
    }

    /// Creates or migrates the schema under a named lock (`GET_LOCK`, one per database), so nodes
    /// starting at once migrate it once; refuses a database migrated by a newer llmtrace. Blocks: runs
    /// on one of the pool's threads.
    func migrate(on connection: MySQLConnection) throws {
        let known = migrations()
        let latest = known.last?.version ?? 0
        let lock = Self.migrationLockName(url.database)
        let got = try connection.query("SELECT GET_LOCK(?, 60)", [.text(lock)]).first?.values.first?.int
        guard got == 1 else {
            throw StoreError(
                "MySQL: cannot open \(url): another llmtrace has been migrating its schema for 60 s (lock \(lock)); try again, or look for a stuck node",
                kind: .busy
            )
        }
        defer { _ = try? connection.query("SELECT RELEASE_LOCK(?)", [.text(lock)]) }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(Self.migrationsTable) (
                version INTEGER NOT NULL PRIMARY KEY,
                name VARCHAR(255) NOT NULL,
                applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
            ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
            """
        )
        let current = try connection.query("SELECT COALESCE(MAX(version), 0) FROM \(Self.migrationsTable)").first?.values.first?.int ?? 0
        guard current <= latest else {
            throw StoreError(
                "\(url) has schema version \(current), made by a newer llmtrace (this one knows up to \(latest)); upgrade llmtrace, or point --db at another database"
            )
        }
        for migration in known where migration.version > current {
            for statement in migration.sql { try connection.execute(statement) }
            try migration.then?(connection)
            try connection.execute(
                "INSERT INTO \(Self.migrationsTable) (version, name) VALUES (?, ?)",
                [.integer(migration.version), .text(migration.name)]
            )
            logger.info("MySQL schema migrated to version \(migration.version): \(migration.name)")
        }
    }
}
