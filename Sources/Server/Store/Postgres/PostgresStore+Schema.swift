import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    /// One schema change, applied once, in order.
    struct Migration: Sendable {
        var version: Int
        var name: String
        var sql: [String]
        /// Work in Swift after the statements, in the same transaction.
        var then: (@Sendable (PostgresConnection) async throws -> Void)? = nil
    }

    /// Every schema version this build knows, oldest first. Never edit a released one: add the next.
    func migrations() -> [Migration] {
        let requests = table(RecordLayout.table)
        return [
            Migration(
                version: 1,
                name: "requests with typed columns",
                sql: [
                    """
                    CREATE TABLE \(requests) (
                        id TEXT NOT NULL PRIMARY KEY,
                        started_at DOUBLE PRECISION NOT NULL,
                        env TEXT NOT NULL,
                        method TEXT NOT NULL,
                        scheme TEXT NOT NULL,
                        host TEXT NOT NULL,
                        path TEXT NOT NULL,
                        query TEXT,
                        provider TEXT,
                        endpoint TEXT,
                        model TEXT,
                        model_source TEXT,
                        stream BOOLEAN NOT NULL,
                        status BIGINT,
                        error_type TEXT,
                        error_message BYTEA,
                        duration_ms DOUBLE PRECISION,
                        ttft_ms DOUBLE PRECISION,
                        input_tokens BIGINT,
                        output_tokens BIGINT,
                        cached_input_tokens BIGINT,
                        cache_creation_tokens BIGINT,
                        reasoning_tokens BIGINT,
                        total_tokens BIGINT,
                        cost DOUBLE PRECISION,
                        text BYTEA,
                        tool_calls BYTEA,
                        finish_reason TEXT,
                        complete BOOLEAN NOT NULL,
                        is_error BOOLEAN NOT NULL,
                        search TEXT NOT NULL,
                        request_headers BYTEA,
                        response_headers BYTEA,
                        request_body BYTEA,
                        request_body_text BOOLEAN,
                        request_body_size BIGINT,
                        request_body_truncated BOOLEAN,
                        request_body_decoded_from TEXT,
                        response_body BYTEA,
                        response_body_text BOOLEAN,
                        response_body_size BIGINT,
                        response_body_truncated BOOLEAN,
                        response_body_decoded_from TEXT,
                        choices BYTEA
                    )
                    """,
                    "CREATE INDEX llmtrace_requests_started_at ON \(requests) (started_at)",
                    "CREATE INDEX llmtrace_requests_env ON \(requests) (env, id)",
                    "CREATE INDEX llmtrace_requests_model ON \(requests) (model, id)",
                    "CREATE INDEX llmtrace_requests_status ON \(requests) (status, id)",
                    "CREATE INDEX llmtrace_requests_error ON \(requests) (is_error, id)",
                ]
            ),
            Migration(
                version: 2,
                name: "shared record layout: Unix times, the saving node and when it saved",
                sql: [
                    "UPDATE \(requests) SET started_at = started_at + \(Date.timeIntervalBetween1970AndReferenceDate)",
                    "ALTER TABLE \(requests) ADD COLUMN node TEXT NOT NULL DEFAULT ''",
                    "ALTER TABLE \(requests) ADD COLUMN saved_at DOUBLE PRECISION NOT NULL DEFAULT \(Self.savedAtNow)",
                    "CREATE INDEX llmtrace_requests_saved_at ON \(requests) (saved_at)",
                ]
            ),
            Migration(
                version: 3,
                name: "hourly rollups and duration bins",
                sql: [
                    "ALTER TABLE \(requests) ADD COLUMN \(RollupLayout.durationBinColumnSQL(.postgres))",
                    "CREATE INDEX llmtrace_requests_duration_bin ON \(requests) (\(RollupLayout.durationIndexColumns))",
                    RollupLayout.createTableSQL(.postgres, table: rollups),
                ],
                then: { connection in try await self.rebuildRollups(on: connection) }
            ),
            Migration(
                version: 4,
                name: "sessions and replays",
                sql: [
                    "ALTER TABLE \(requests) "
                        + RecordLayout.sessionColumns.map { "ADD COLUMN IF NOT EXISTS \($0.name) \(SQLDialect.postgres.typeName($0.type))" }
                        .joined(separator: ", "),
                    "CREATE INDEX IF NOT EXISTS \(RecordLayout.sessionIndex) ON \(requests) (\(RecordLayout.sessionIndexColumns))",
                ]
            ),
        ]
    }

    /// Creates or migrates the schema under a session advisory lock (one per schema), so nodes
    /// starting at once migrate it once; refuses a database migrated by a newer llmtrace.
    func migrate() async throws {
        let known = migrations()
        let latest = known.last?.version ?? 0
        let versions = table("llmtrace_migrations")
        let lockKey = "llmtrace.migrations.\(schema)"
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(hashtext(\(lockKey)))", logger: self.logger)
            do {
                if self.schema != "public" {
                    try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: "\"\(self.schema)\"")", logger: self.logger)
                }
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS \(unescaped: versions) (
                        version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """,
                    logger: self.logger
                )
                var current = 0
                for try await v in try await connection.query("SELECT COALESCE(max(version), 0) FROM \(unescaped: versions)", logger: self.logger)
                    .decode(Int32.self)
                {
                    current = Int(v)
                }
                guard current <= latest else {
                    throw StoreError(
                        "\(self.url) has schema version \(current), made by a newer llmtrace (this one knows up to \(latest)); upgrade llmtrace, or point --db at another database"
                    )
                }
                for migration in known where migration.version > current {
                    try await connection.withTransaction(logger: self.logger) { tx in
                        for statement in migration.sql { try await tx.query(PostgresQuery(unsafeSQL: statement), logger: self.logger) }
                        try await migration.then?(tx)
                        try await tx.query(
                            "INSERT INTO \(unescaped: versions) (version, name) VALUES (\(Int32(migration.version)), \(migration.name))",
                            logger: self.logger
                        )
                    }
                    self.logger.info("PostgreSQL schema migrated to version \(migration.version): \(migration.name)")
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: self.logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: self.logger)
        }
    }
}
