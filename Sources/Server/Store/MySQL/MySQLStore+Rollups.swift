import Foundation
import LLMTraceModel

/// Hourly rollups on MySQL (``RollupLayout``'s table and SQL), kept in step with the records in the same
/// transaction as every save, prune and clear, and read by ``RollupAggregator``.
///
/// Saves from every node take one named lock (``saveLock``) around their transaction: MySQL at read
/// committed cannot lock a record that is not stored yet, so two nodes saving the same new record at once
/// would both count it. Writers on hot rollup rows take turns anyway (their rows are locked `FOR UPDATE`),
/// so the lock costs little.
extension MySQLStore {
    static let rollups = RollupLayout.table

    /// The `GET_LOCK` name that saves to `database` take.
    static func saveLock(_ database: String) -> String { lockName("llmtrace.save", database: database) }

    public func stats(filter: RequestFilter) async throws -> Stats {
        try await rollupStats(filter: filter) { MySQLRollupSource(store: self) }
    }

    public func timeseries(filter: RequestFilter, bucketSeconds: Int, since: Date, until: Date) async throws -> Timeseries? {
        try await rollupTimeseries(filter: filter, bucketSeconds: bucketSeconds, since: since, until: until) { MySQLRollupSource(store: self) }
    }

    /// Runs `body` holding the save lock of `database` (waiting up to 30 s for it).
    static func holdingSaveLock<T>(_ database: String, on connection: MySQLConnection, _ body: () throws -> T) throws -> T {
        let lock = saveLock(database)
        guard try connection.query("SELECT GET_LOCK(?, 30)", [.text(lock)]).first?.value(at: 0, as: .integer).int == 1 else {
            throw StoreError("MySQL: another node held the save lock (\(lock)) for 30 s", kind: .busy)
        }
        defer { _ = try? connection.query("SELECT RELEASE_LOCK(?)", [.text(lock)]) }
        return try body()
    }

    /// The samples of the stored versions of `ids`.
    static func storedSamples(_ ids: [String], on connection: MySQLConnection) throws -> [StatsSample] {
        var samples: [StatsSample] = []
        for start in stride(from: 0, to: ids.count, by: 1000) {
            let chunk = ids[start..<min(start + 1000, ids.count)]
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try connection.query(
                "SELECT \(RollupLayout.sampleColumnNames) FROM \(requests) WHERE id IN (\(placeholders))",
                chunk.map { .text($0) }
            )
            samples += try rows.map { try RollupLayout.sample($0) }
        }
        return samples
    }

    /// Applies `changes` in `connection`'s transaction, each changed row made to exist, locked, then
    /// written (or deleted when left without records), in ``RollupChanges/keys`` order.
    static func apply(_ changes: RollupChanges, on connection: MySQLConnection) throws {
        let insertEmpty = RollupLayout.insertEmptySQL(.mysql, table: rollups)
        let select = RollupLayout.selectTotalsSQL(.mysql, table: rollups)
        let upsert = RollupLayout.upsertSQL(.mysql, table: rollups)
        let delete = RollupLayout.deleteSQL(.mysql, table: rollups)
        for key in changes.keys {
            let keyValues = RollupLayout.keyValues(key)
            _ = try connection.execute(insertEmpty, keyValues)
            let current = try connection.query(select, keyValues).first.map { try RollupLayout.totals($0) }
            if let row = changes.applied(to: current, key: key) {
                _ = try connection.execute(upsert, keyValues + RollupLayout.totalsValues(row))
            } else {
                _ = try connection.execute(delete, keyValues)
            }
        }
    }

    /// Builds every rollup row from the records (a migration's step).
    static func rebuildRollups(on connection: MySQLConnection) throws {
        try connection.transaction {
            _ = try connection.execute("DELETE FROM \(rollups)", [])
            var changes = RollupChanges()
            for row in try connection.query("SELECT \(RollupLayout.sampleColumnNames) FROM \(requests)") {
                changes.add(try RollupLayout.sample(row))
            }
            try apply(changes, on: connection)
        }
    }
}

/// ``MySQLStore``'s rollups and records as a ``RollupSource``, through the pool.
struct MySQLRollupSource: RollupSource {
    let store: MySQLStore

    private func rows(_ queries: [RollupLayout.Query]) async throws -> [[MySQLRow]] {
        do {
            return try await store.pool.withConnection { connection in try queries.map { try connection.query($0.sql, $0.values) } }
        } catch {
            throw store.describe(error, doing: "cannot read statistics from")
        }
    }

    func rollupRows(hours: RollupHours, _ selection: RecordSelection) async throws -> [RollupRow] {
        try await rows([RollupLayout.rowsQuery(.mysql, table: MySQLStore.rollups, hours: hours, selection)])[0].map { try RollupLayout.row($0) }
    }

    func samples(_ selection: RecordSelection) async throws -> [StatsSample] {
        try await rows([RollupLayout.samplesQuery(.mysql, records: MySQLStore.requests, selection)])[0].map { try RollupLayout.sample($0) }
    }

    /// Each lookup through the index that suits its range: up to a day, the bin's records in the range
    /// read by time and sorted apart; longer (or unbounded), the bin walked in duration order.
    func durations(_ lookups: [DurationLookup]) async throws -> [Double?] {
        let queries = lookups.map { lookup in
            let s = lookup.selection
            if let from = s.from, let to = s.to, to - from <= 86_400 {
                let records = "\(MySQLStore.requests) FORCE INDEX (\(MySQLStore.durationTimeIndex))"
                return RollupLayout.durationQuery(.mysql, records: records, lookup, sortingRead: true)
            }
            return RollupLayout.durationQuery(.mysql, records: "\(MySQLStore.requests) FORCE INDEX (\(MySQLStore.durationOrderIndex))", lookup)
        }
        return try await rows(queries).map { try $0.first?.value(at: 0, as: .real).double }
    }
}
