import GRDB
import LLMTraceModel

/// ``SQLiteStore``'s rollups and records as a ``RollupSource``, read through `reader`: a snapshot of the
/// database, so that every call of one aggregation reads the same state while records are being written.
struct SQLiteRollupSource: RollupSource {
    let reader: any DatabaseReader

    func rollupRows(hours: RollupHours, _ selection: RecordSelection) async throws -> [RollupRow] {
        let query = RollupLayout.rowsQuery(.sqlite, table: SQLiteStore.rollups, hours: hours, selection)
        return try await reader.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: query.sql), arguments: StatementArguments(query.values))
            var out: [RollupRow] = []
            while let row = try rows.next() { out.append(try RollupLayout.row(row)) }
            return out
        }
    }

    func samples(_ selection: RecordSelection) async throws -> [StatsSample] {
        // A time range of an hour or two: the time index is the short way there.
        let hint = selection.from != nil || selection.to != nil ? " INDEXED BY \(SQLiteStore.requests)_started_at" : ""
        let query = RollupLayout.samplesQuery(.sqlite, records: SQLiteStore.requests + hint, selection)
        return try await reader.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: query.sql), arguments: StatementArguments(query.values))
            var out: [StatsSample] = []
            while let row = try rows.next() { out.append(try RollupLayout.sample(row)) }
            return out
        }
    }

    func durations(_ lookups: [DurationLookup]) async throws -> [Double?] {
        let queries = lookups.map {
            RollupLayout.durationQuery(.sqlite, records: "\(SQLiteStore.requests) INDEXED BY \(SQLiteStore.requests)_duration_bin", $0)
        }
        return try await reader.read { db in
            try queries.map { try Double.fetchOne(db.cachedStatement(sql: $0.sql), arguments: StatementArguments($0.values)) }
        }
    }
}
