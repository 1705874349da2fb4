import Foundation
import Logging

/// The admin store's MySQL / MariaDB engine, on a ``MySQLConnectionPool`` of its own.
///
/// The MariaDB client blocks, so each statement runs on one of the pool's threads; a session or a
/// transaction holds one connection (leased from the pool) across its statements.
final class MySQLAdminDatabase: AdminSQLDatabase {
    let url: DatabaseURL
    let pool: MySQLConnectionPool

    var dialect: SQLDialect { .mysql }
    var description: String { "mysql \(url)" }

    private init(url: DatabaseURL, pool: MySQLConnectionPool) {
        self.url = url
        self.pool = pool
    }

    /// Connects to `url` (or `database` on the same server), failing at once with the server's reason.
    static func connect(_ url: DatabaseURL, database: String?, logger: Logger) async throws -> MySQLAdminDatabase {
        var url = url
        if let database { url.database = database }
        url.poolSize = max(2, min(url.poolSize, 4))
        let pool = MySQLConnectionPool(url: url, logger: logger)
        do {
            try await pool.withConnection(retryingLostConnection: false) { _ in }
        } catch {
            await pool.shutdown()
            throw MySQLStore.describe(error, url: url, doing: "cannot connect to the admin database")
        }
        return MySQLAdminDatabase(url: url, pool: pool)
    }

    func table(_ name: String) -> String { "`\(name)`" }

    /// A session over one leased connection.
    struct Session: AdminSQLSession {
        let connection: MySQLConnection
        let pool: MySQLConnectionPool

        func rows(_ sql: String, _ values: [ColumnValue], types: [ColumnType]) async throws -> [[ColumnValue]] {
            let rows = try await run { try $0.query(sql, values) }
            return try rows.map { row in try types.indices.map { try row.value(at: $0, as: types[$0]) } }
        }

        /// Without values the statement runs unprepared (transaction control and DDL, which MySQL does not
        /// all prepare) and reports no row count.
        func execute(_ sql: String, _ values: [ColumnValue]) async throws -> Int {
            if values.isEmpty {
                try await run { try $0.execute(sql) }
                return 0
            }
            return try await run { try $0.execute(sql, values) }
        }

        private func run<T: Sendable>(_ body: @escaping @Sendable (MySQLConnection) throws -> T) async throws -> T {
            do {
                return try await pool.run(on: connection, body)
            } catch let error as MySQLError where error.code == 1062 {
                throw AdminStoreError(.conflict, "that name is taken")
            }
        }
    }

    func session<T: Sendable>(_ body: @escaping @Sendable (any AdminSQLSession) async throws -> T) async throws -> T {
        let connection = try await lease()
        do {
            let result = try await body(Session(connection: connection, pool: pool))
            await pool.giveBack(connection)
            return result
        } catch {
            await pool.giveBack(connection)
            throw explained(error)
        }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any AdminSQLSession) async throws -> T) async throws -> T {
        try await session { session in
            try await session.execute("START TRANSACTION", [])
            do {
                let result = try await body(session)
                try await session.execute("COMMIT", [])
                return result
            } catch {
                _ = try? await session.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    private func lease() async throws -> MySQLConnection {
        do {
            return try await pool.lease()
        } catch {
            throw explained(error)
        }
    }

    private func explained(_ error: any Error) -> any Error {
        if let e = error as? AdminStoreError { return e }
        return AdminStoreError(.database, MySQLStore.describe(error, url: url, doing: "admin database:").message)
    }

    func migrate(_ migrations: [AdminMigration], versionsTable: String) async throws {
        let latest = migrations.last?.version ?? 0
        let lock = MySQLStore.lockName("llmtrace.admin.migrations", database: url.database)
        let versions = table(versionsTable)
        let description = self.description
        try await session { session in
            let got = try await session.rows("SELECT GET_LOCK(?, 60)", [.text(lock)], types: [.integer]).first?.first?.int
            guard got == 1 else {
                throw AdminStoreError(.database, "\(description): another llmtrace has been migrating the admin schema for 60 s (lock \(lock))")
            }
            do {
                try await session.execute(
                    """
                    CREATE TABLE IF NOT EXISTS \(versions) (
                        version BIGINT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at DOUBLE NOT NULL
                    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
                    """,
                    []
                )
                let current =
                    try await session.rows("SELECT COALESCE(MAX(version), 0) FROM \(versions)", [], types: [.integer]).first?.first?.int ?? 0
                guard current <= latest else {
                    throw AdminStoreError(
                        .database,
                        "\(description) has admin schema version \(current), made by a newer llmtrace (this one knows up to \(latest)); upgrade llmtrace"
                    )
                }
                // MySQL commits each DDL statement by itself: every statement is written to run again harmlessly.
                for migration in migrations where migration.version > current {
                    for statement in migration.sql { try await session.execute(statement, []) }
                    try await session.execute(
                        "INSERT INTO \(versions) (version, name, applied_at) VALUES (?, ?, ?)",
                        [.integer(migration.version), .text(migration.name), .real(Date().timeIntervalSince1970)]
                    )
                }
            } catch {
                _ = try? await session.rows("SELECT RELEASE_LOCK(?)", [.text(lock)], types: [.integer])
                throw error
            }
            _ = try await session.rows("SELECT RELEASE_LOCK(?)", [.text(lock)], types: [.integer])
        }
    }

    func close() async throws {
        await pool.shutdown()
    }
}
