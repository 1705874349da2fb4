import Foundation
import Logging
import PostgresNIO

/// The admin store's PostgreSQL engine: a postgres-nio pool of its own, tables in `schema`.
final class PostgresAdminDatabase: AdminSQLDatabase {
    let url: DatabaseURL
    let schema: String
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    var dialect: SQLDialect { .postgres }
    var description: String { "postgres \(url)" }

    private init(url: DatabaseURL, schema: String, client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.url = url
        self.schema = schema
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    /// Connects to `url` (tables in `schema`, else the URL's `schema=`, else `public`), failing at once
    /// with the server's reason when it cannot be reached or refuses the login.
    static func connect(_ url: DatabaseURL, schema: String?, logger: Logger) async throws -> PostgresAdminDatabase {
        let connector = try PostgresConnector(url, schema: schema, maximumConnections: max(2, min(url.poolSize, 4)))
        try await connector.probe(doing: "cannot connect to the admin database", logger: logger)
        let pool = await connector.startPool(logger: logger)
        return PostgresAdminDatabase(url: url, schema: connector.schema, client: pool.client, runner: pool.runner, logger: logger)
    }

    func table(_ name: String) -> String { "\"\(schema)\".\"\(name)\"" }

    /// A session over one pooled connection.
    struct Session: AdminSQLSession {
        let connection: PostgresConnection
        let logger: Logger

        func rows(_ sql: String, _ values: [ColumnValue], types: [ColumnType]) async throws -> [[ColumnValue]] {
            let result = try await run(sql, values)
            return try result.rows.map { row in
                let access = row.makeRandomAccess()
                return try types.indices.map { try access.value(at: $0, as: types[$0]) }
            }
        }

        func execute(_ sql: String, _ values: [ColumnValue]) async throws -> Int {
            try await run(sql, values).metadata.rows ?? 0
        }

        private func run(_ sql: String, _ values: [ColumnValue]) async throws -> PostgresQueryResult {
            let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: PostgresBindings(values))
            let future: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
            do {
                return try await future.get()
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                throw AdminStoreError(.conflict, "that name is taken")
            }
        }

        /// `?` placeholders as PostgreSQL's `$1`, `$2`, … (the admin SQL has no `?` in literals).
        static func numbered(_ sql: String) -> String {
            var out = ""
            var n = 0
            for ch in sql {
                if ch == "?" {
                    n += 1
                    out += "$\(n)"
                } else {
                    out.append(ch)
                }
            }
            return out
        }
    }

    func session<T: Sendable>(_ body: @escaping @Sendable (any AdminSQLSession) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(Session(connection: connection, logger: self.logger)) }
        } catch {
            throw explained(error)
        }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any AdminSQLSession) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(Session(connection: connection, logger: self.logger))
            }
        } catch {
            throw explained(error)
        }
    }

    /// Admin errors as they are; the database's own failures explained, password redacted.
    private func explained(_ error: any Error) -> any Error {
        if let e = error as? AdminStoreError { return e }
        if let t = error as? PostgresTransactionError, let inner = t.closureError ?? t.beginError ?? t.commitError {
            return explained(inner)
        }
        return AdminStoreError(.database, PostgresStore.describe(error, url: url, doing: "admin database:").message)
    }

    func migrate(_ migrations: [AdminMigration], versionsTable: String) async throws {
        let latest = migrations.last?.version ?? 0
        let lockKey = "llmtrace.admin.migrations.\(schema)"
        let versions = table(versionsTable)
        let schema = self.schema
        let description = self.description
        try await session { session in
            _ = try await session.rows("SELECT pg_advisory_lock(hashtext(?))::text", [.text(lockKey)], types: [.text])
            do {
                if schema != "public" { try await session.execute("CREATE SCHEMA IF NOT EXISTS \"\(schema)\"", []) }
                try await session.execute(
                    "CREATE TABLE IF NOT EXISTS \(versions) (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)",
                    []
                )
                let current =
                    try await session.rows("SELECT COALESCE(max(version), 0) FROM \(versions)", [], types: [.integer]).first?.first?.int ?? 0
                guard current <= latest else {
                    throw AdminStoreError(
                        .database,
                        "\(description) has admin schema version \(current), made by a newer llmtrace (this one knows up to \(latest)); upgrade llmtrace"
                    )
                }
                for migration in migrations where migration.version > current {
                    try await session.execute("BEGIN", [])
                    do {
                        for statement in migration.sql { try await session.execute(statement, []) }
                        try await session.execute(
                            "INSERT INTO \(versions) (version, name, applied_at) VALUES (?, ?, ?)",
                            [.integer(migration.version), .text(migration.name), .real(Date().timeIntervalSince1970)]
                        )
                        try await session.execute("COMMIT", [])
                    } catch {
                        _ = try? await session.execute("ROLLBACK", [])
                        throw error
                    }
                }
            } catch {
                _ = try? await session.rows("SELECT pg_advisory_unlock(hashtext(?))::text", [.text(lockKey)], types: [.text])
                throw error
            }
            _ = try await session.rows("SELECT pg_advisory_unlock(hashtext(?))::text", [.text(lockKey)], types: [.text])
        }
    }

    func close() async throws {
        await PostgresConnector.stopPool(runner, url: url, logger: logger)
    }
}
