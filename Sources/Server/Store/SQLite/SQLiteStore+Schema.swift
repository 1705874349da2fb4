import Foundation
import GRDB
import LLMTraceModel

extension SQLiteStore {
    /// The migrations of the JSON-document schema (a summary and a detail document per record), merged
    /// into the shared record layout's migration; a database made by them is converted at start
    /// (``convertLegacyRecords(_:path:logger:)``).
    static let legacyMigrations: Set<String> = ["v1: requests", "v2: hourly rollups and duration bins"]

    /// The table those migrations made.
    static let legacyTable = "requests"

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v3: shared record layout", merging: legacyMigrations) { db, _ in
            try db.execute(sql: createSQL)
            if try db.tableExists(legacyTable) {
                // Its rows move to the new table in chunks after migrating; without these indexes each
                // chunk's delete touches only the table and its primary key.
                for index in ["requests_started_at", "requests_env", "requests_model", "requests_status", "requests_duration_bin", "requests_error"] {
                    try db.execute(sql: "DROP INDEX IF EXISTS \(index)")
                }
            }
            try db.execute(sql: "DROP TABLE IF EXISTS rollup_hourly")
        }
        m.registerMigration("v4: sessions and replays") { db in
            // A table made by v3 of this build has the columns already.
            let existing = Set(try db.columns(in: RecordLayout.table).map { $0.name.lowercased() })
            for column in RecordLayout.sessionColumns where !existing.contains(column.name) {
                try db.execute(sql: "ALTER TABLE \(requests) ADD COLUMN \(column.name) \(SQLDialect.sqlite.typeName(column.type))")
            }
            try db.execute(
                sql: "CREATE INDEX IF NOT EXISTS \(RecordLayout.sessionIndex) ON \(requests)(\(RecordLayout.sessionIndexColumns))"
            )
        }
        return m
    }

    /// The shared record layout (``RecordLayout``) in SQLite: `llmtrace_requests` with the generated
    /// `duration_bin` column, the indexes lists, filters and percentiles use, and the rollup table.
    static let createSQL = """
        CREATE TABLE \(requests) (
            \(SQLDialect.sqlite.columnDefinitions(tableColumns)),
            \(RollupLayout.durationBinColumnSQL(.sqlite)),
            PRIMARY KEY (id)
        );
        CREATE INDEX \(requests)_started_at ON \(requests)(started_at);
        CREATE INDEX \(requests)_env ON \(requests)(env, id);
        CREATE INDEX \(requests)_model ON \(requests)(model, id);
        CREATE INDEX \(requests)_status ON \(requests)(status, id);
        CREATE INDEX \(requests)_error ON \(requests)(is_error, id);
        CREATE INDEX \(requests)_duration_bin ON \(requests)(\(RollupLayout.durationIndexColumns));
        \(RollupLayout.createTableSQL(.sqlite));
        """
}
