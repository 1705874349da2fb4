extension SQLAdminStore {
    /// Table names, all prefixed so they sit beside the record tables in one database.
    enum T {
        static let users = "llmtrace_admin_users"
        static let teams = "llmtrace_admin_teams"
        static let members = "llmtrace_admin_members"
        static let environments = "llmtrace_admin_environments"
        static let refreshTokens = "llmtrace_admin_refresh_tokens"
        static let invites = "llmtrace_admin_invites"
        static let audit = "llmtrace_admin_audit"
        static let settings = "llmtrace_admin_settings"
        static let alertRules = "llmtrace_admin_alert_rules"
        static let alertFirings = "llmtrace_admin_alert_firings"
        static let migrations = "llmtrace_admin_migrations"
    }

    /// Natural keys are unique among live rows through a `*_live` column that holds the key while the
    /// row is live and `NULL` once deleted (both engines let a unique index hold many `NULL`s, and MySQL
    /// has no partial indexes).
    func migrations() -> [AdminMigration] {
        [
            AdminMigration(
                version: 1,
                name: "accounts, teams, members, environments, sessions, invites, audit, settings",
                sql: [
                    createTable(
                        T.users,
                        [
                            Column("id", .key, nullable: false), Column("email", .key, nullable: false), Column("email_live", .key),
                            Column("name", .text), Column("password_hash", .text, nullable: false),
                            Column("system_admin", .bool, nullable: false), Column("created_at", .real, nullable: false),
                            Column("deleted_at", .real),
                        ],
                        primaryKey: ["id"],
                        unique: [("email_live", ["email_live"])]
                    ),
                    createTable(
                        T.teams,
                        [
                            Column("id", .key, nullable: false), Column("slug", .key, nullable: false), Column("slug_live", .key),
                            Column("name", .text, nullable: false), Column("created_at", .real, nullable: false), Column("deleted_at", .real),
                        ],
                        primaryKey: ["id"],
                        unique: [("slug_live", ["slug_live"])]
                    ),
                    createTable(
                        T.members,
                        [
                            Column("team_id", .key, nullable: false), Column("user_id", .key, nullable: false),
                            Column("role", .key, nullable: false), Column("created_at", .real, nullable: false), Column("deleted_at", .real),
                        ],
                        primaryKey: ["team_id", "user_id"],
                        index: [("user", ["user_id"])]
                    ),
                    createTable(
                        T.environments,
                        [
                            Column("id", .key, nullable: false), Column("env_id", .key, nullable: false), Column("env_live", .key),
                            Column("team_id", .key, nullable: false), Column("name", .text), Column("require_key", .bool, nullable: false),
                            Column("key_hash", .key), Column("created_at", .real, nullable: false), Column("deleted_at", .real),
                        ],
                        primaryKey: ["id"],
                        unique: [("env_live", ["env_live"])],
                        index: [("team", ["team_id"])]
                    ),
                    createTable(
                        T.refreshTokens,
                        [
                            Column("token_hash", .key, nullable: false), Column("session_id", .key, nullable: false),
                            Column("user_id", .key, nullable: false), Column("created_at", .real, nullable: false),
                            Column("expires_at", .real, nullable: false), Column("used_at", .real), Column("revoked_at", .real),
                        ],
                        primaryKey: ["token_hash"],
                        index: [("session", ["session_id"]), ("user", ["user_id"])]
                    ),
                    createTable(
                        T.invites,
                        [
                            Column("token_hash", .key, nullable: false), Column("team_id", .key, nullable: false),
                            Column("email", .key, nullable: false), Column("role", .key, nullable: false),
                            Column("invited_by", .key, nullable: false), Column("created_at", .real, nullable: false),
                            Column("expires_at", .real, nullable: false), Column("accepted_at", .real),
                        ],
                        primaryKey: ["token_hash"]
                    ),
                    createTable(
                        T.audit,
                        [
                            Column("id", .key, nullable: false), Column("at", .real, nullable: false), Column("actor", .key),
                            Column("action", .key, nullable: false), Column("resource_type", .key, nullable: false),
                            Column("resource_id", .key, nullable: false), Column("team_id", .key), Column("address", .key),
                            Column("details", .text, nullable: false),
                        ],
                        primaryKey: ["id"],
                        index: [("at", ["at"]), ("team", ["team_id", "at"])]
                    ),
                    createTable(
                        T.settings,
                        [Column("name", .key, nullable: false), Column("value", .text, nullable: false)],
                        primaryKey: ["name"]
                    ),
                ]
                    + postgresIndexes([
                        (T.members, "user", ["user_id"]), (T.environments, "team", ["team_id"]),
                        (T.refreshTokens, "session", ["session_id"]), (T.refreshTokens, "user", ["user_id"]),
                        (T.audit, "at", ["at"]), (T.audit, "team", ["team_id", "at"]),
                    ])
            ),
            AdminMigration(
                version: 2,
                name: "budget alert rules and their firings",
                sql: [
                    createTable(
                        T.alertRules,
                        [
                            Column("id", .key, nullable: false), Column("team_id", .key, nullable: false),
                            Column("scope", .key, nullable: false), Column("scope_id", .key, nullable: false),
                            Column("period", .key, nullable: false), Column("limit_usd", .real, nullable: false),
                            Column("webhook_url", .text), Column("created_at", .real, nullable: false),
                        ],
                        primaryKey: ["id"],
                        index: [("team", ["team_id"])]
                    ),
                    createTable(
                        T.alertFirings,
                        [
                            Column("rule_id", .key, nullable: false), Column("window_start", .real, nullable: false),
                            Column("spent_usd", .real, nullable: false), Column("fired_at", .real, nullable: false),
                        ],
                        primaryKey: ["rule_id", "window_start"],
                        index: [("window", ["window_start"])]
                    ),
                ] + postgresIndexes([(T.alertRules, "team", ["team_id"]), (T.alertFirings, "window", ["window_start"])])
            ),
            AdminMigration(
                version: 3,
                name: "an environment's upstream allow list",
                sql: [
                    "ALTER TABLE \(db.table(T.environments)) ADD COLUMN\(db.dialect == .postgres ? " IF NOT EXISTS" : "") allow_upstreams \(db.dialect == .postgres ? "TEXT" : "LONGTEXT")"
                ]
            ),
        ]
    }

    /// A `CREATE TABLE IF NOT EXISTS`; MySQL gets its indexes inside it (so running it again is harmless),
    /// PostgreSQL its unique constraints inside and its other indexes from ``postgresIndexes(_:)``.
    private func createTable(
        _ name: String,
        _ columns: [Column],
        primaryKey: [String],
        unique: [(String, [String])] = [],
        index: [(String, [String])] = []
    ) -> String {
        let dialect = db.dialect
        var parts = [dialect.columnDefinitions(columns), "PRIMARY KEY (\(primaryKey.joined(separator: ", ")))"]
        for (suffix, cols) in unique {
            parts.append("CONSTRAINT \(name)_\(suffix) UNIQUE (\(cols.joined(separator: ", ")))")
        }
        if dialect == .mysql {
            for (suffix, cols) in index { parts.append("INDEX \(name)_\(suffix) (\(cols.joined(separator: ", ")))") }
            return
                "CREATE TABLE IF NOT EXISTS \(db.table(name)) (\n    \(parts.joined(separator: ",\n    "))\n) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin"
        }
        return "CREATE TABLE IF NOT EXISTS \(db.table(name)) (\n    \(parts.joined(separator: ",\n    "))\n)"
    }

    private func postgresIndexes(_ indexes: [(String, String, [String])]) -> [String] {
        guard db.dialect == .postgres else { return [] }
        return indexes.map { table, suffix, cols in
            "CREATE INDEX IF NOT EXISTS \(table)_\(suffix) ON \(db.table(table)) (\(cols.joined(separator: ", ")))"
        }
    }
}
