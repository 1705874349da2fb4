import Foundation
import LLMTraceModel
import Logging
import PostgresNIO

/// Hourly rollups on PostgreSQL (``RollupLayout``'s table and SQL): kept in step with the records in the
/// same transaction as every save, prune and clear, and read by ``RollupAggregator``, so statistics and
/// whole-hour timeseries on millions of records read a few thousand rollup rows.
extension PostgresStore {
    var rollups: String { table(RollupLayout.table) }

    public func stats(filter: RequestFilter) async throws -> Stats {
        try await rollupStats(filter: filter) { PostgresRollupSource(store: self) }
    }

    public func timeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries? {
        try await rollupTimeseries(filter: filter, bucketSeconds: bucketSeconds, since: since, until: until) { PostgresRollupSource(store: self) }
    }

    /// The samples of the stored versions of `ids`, with each id locked until the transaction ends, so
    /// that a concurrent save of the same record waits and then sees this one's version (a row lock
    /// cannot do that for a record not stored yet: two first saves would both count it). The locks are
    /// transaction-scoped advisory locks on the schema's and the ids' hashes, taken in hash order so
    /// writers never deadlock.
    func storedSamples(_ ids: [String], on connection: PostgresConnection) async throws -> [StatsSample] {
        guard !ids.isEmpty else { return [] }
        var array = PostgresBindings()
        array.append(ids)
        // Two-key locks, the schema's hash first, so stores in other schemas never wait on these.
        var lockBinds = array
        lockBinds.append(schema)
        let lock = PostgresQuery(
            unsafeSQL: """
                SELECT count(pg_advisory_xact_lock(hashtext($2), h)) \
                FROM (SELECT DISTINCT hashtext(x) AS h FROM unnest($1::text[]) AS x ORDER BY h) AS hashes
                """,
            binds: lockBinds
        )
        for try await _ in try await connection.query(lock, logger: logger) {}
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(RollupLayout.sampleColumnNames) FROM \(table(RecordLayout.table)) WHERE id = ANY($1::text[]) FOR UPDATE",
            binds: array
        )
        var samples: [StatsSample] = []
        for try await row in try await connection.query(query, logger: logger) { samples.append(try RollupLayout.sample(row.makeRandomAccess())) }
        return samples
    }

    /// Applies `changes` in `connection`'s transaction in four statements whatever the number of rows:
    /// the changed rows made to exist, read and locked (in ``RollupChanges/keys`` order, so writers on
    /// several nodes lock rows in the same order), then written, and those left without records deleted.
    func apply(_ changes: RollupChanges, on connection: PostgresConnection) async throws {
        let keys = changes.keys
        guard !keys.isEmpty else { return }
        let keyWidth = RollupLayout.keyColumns.count
        let keyNames = RollupLayout.keyColumns.map(\.name).joined(separator: ", ")
        func tuples(_ count: Int, width: Int, suffix: String = "") -> String {
            (0..<count).map { r in "(" + (1...width).map { "$\(r * width + $0)" }.joined(separator: ", ") + suffix + ")" }.joined(separator: ", ")
        }
        for chunk in stride(from: 0, to: keys.count, by: 1000).map({ Array(keys[$0..<min($0 + 1000, keys.count)]) }) {
            let keyValues = chunk.flatMap(RollupLayout.keyValues)
            let empty = ", " + Array(repeating: "0", count: RollupLayout.totalsColumns.count - 1).joined(separator: ", ") + ", ''::bytea"
            let rows = tuples(chunk.count, width: keyWidth, suffix: empty)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: "INSERT INTO \(rollups) (\(RollupLayout.columnNames)) VALUES \(rows) ON CONFLICT DO NOTHING",
                    binds: PostgresBindings(keyValues)
                ),
                logger: logger
            )
            var current: [RollupKey: RollupTotals] = [:]
            let select = PostgresQuery(
                unsafeSQL: """
                    SELECT \(RollupLayout.columnNames) FROM \(rollups) WHERE (\(keyNames)) IN (\(tuples(chunk.count, width: keyWidth))) \
                    ORDER BY \(keyNames) FOR UPDATE
                    """,
                binds: PostgresBindings(keyValues)
            )
            for try await row in try await connection.query(select, logger: logger) {
                let r = row.makeRandomAccess()
                current[try RollupLayout.row(r).key] = try RollupLayout.totals(r, from: keyWidth)
            }
            var written: [ColumnValue] = []
            var deleted: [ColumnValue] = []
            var writtenCount = 0
            for key in chunk {
                if let row = changes.applied(to: current[key], key: key) {
                    written += RollupLayout.keyValues(key) + RollupLayout.totalsValues(row)
                    writtenCount += 1
                } else {
                    deleted += RollupLayout.keyValues(key)
                }
            }
            if writtenCount > 0 {
                let updates = RollupLayout.totalsColumns.map { "\($0.name) = excluded.\($0.name)" }.joined(separator: ", ")
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO \(rollups) (\(RollupLayout.columnNames)) VALUES \(tuples(writtenCount, width: RollupLayout.columns.count)) \
                            ON CONFLICT (\(keyNames)) DO UPDATE SET \(updates)
                            """,
                        binds: PostgresBindings(written)
                    ),
                    logger: logger
                )
            }
            if !deleted.isEmpty {
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "DELETE FROM \(rollups) WHERE (\(keyNames)) IN (\(tuples(deleted.count / keyWidth, width: keyWidth)))",
                        binds: PostgresBindings(deleted)
                    ),
                    logger: logger
                )
            }
        }
    }

    /// Builds every rollup row from the records (a migration's step, in its transaction).
    func rebuildRollups(on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(rollups)"), logger: logger)
        var changes = RollupChanges()
        let query = PostgresQuery(unsafeSQL: "SELECT \(RollupLayout.sampleColumnNames) FROM \(table(RecordLayout.table))")
        for try await row in try await connection.query(query, logger: logger) { changes.add(try RollupLayout.sample(row.makeRandomAccess())) }
        try await apply(changes, on: connection)
    }
}

/// ``PostgresStore``'s rollups and records as a ``RollupSource``: plain queries through the pool, each
/// bounded like the store's other reads.
struct PostgresRollupSource: RollupSource {
    let store: PostgresStore

    private func rows(_ query: RollupLayout.Query) async throws -> [PostgresRandomAccessRow] {
        let client = store.client
        let logger = store.logger
        return try await store.run(doing: "cannot read statistics from", within: store.readLimit) {
            var out: [PostgresRandomAccessRow] = []
            for try await row in try await client.query(PostgresQuery(unsafeSQL: query.sql, binds: PostgresBindings(query.values)), logger: logger) {
                out.append(row.makeRandomAccess())
            }
            return out
        }
    }

    func rollupRows(hours: RollupHours, _ selection: RecordSelection) async throws -> [RollupRow] {
        try await rows(RollupLayout.rowsQuery(.postgres, table: store.rollups, hours: hours, selection)).map { try RollupLayout.row($0) }
    }

    func samples(_ selection: RecordSelection) async throws -> [StatsSample] {
        try await rows(RollupLayout.samplesQuery(.postgres, records: store.table(RecordLayout.table), selection)).map { try RollupLayout.sample($0) }
    }

    func durations(_ lookups: [DurationLookup]) async throws -> [Double?] {
        var out: [Double?] = []
        for lookup in lookups {
            let query = RollupLayout.durationQuery(.postgres, records: store.table(RecordLayout.table), lookup)
            out.append(try await rows(query).first?.value(at: 0, as: .real).double)
        }
        return out
    }
}
