import GRDB
import LLMTraceModel

extension SQLiteStore {
    /// Applies `changes` to the rollup rows (``RollupChanges``), in the caller's transaction.
    static func apply(_ changes: RollupChanges, _ db: Database) throws {
        let read = try db.cachedStatement(sql: RollupLayout.selectTotalsSQL(.sqlite, table: rollups))
        let write = try db.cachedStatement(sql: RollupLayout.upsertSQL(.sqlite, table: rollups))
        let delete = try db.cachedStatement(sql: RollupLayout.deleteSQL(.sqlite, table: rollups))
        for key in changes.keys {
            let keyValues = RollupLayout.keyValues(key)
            let current = try Row.fetchOne(read, arguments: StatementArguments(keyValues)).map { try RollupLayout.totals($0) }
            if let row = changes.applied(to: current, key: key) {
                try write.execute(arguments: StatementArguments(keyValues + RollupLayout.totalsValues(row)))
            } else if current != nil {
                try delete.execute(arguments: StatementArguments(keyValues))
            }
        }
    }

    /// Builds every rollup row again from the records.
    static func rebuildRollups(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM \(rollups)")
        var changes = RollupChanges()
        let rows = try Row.fetchCursor(db, sql: "SELECT \(RollupLayout.sampleColumnNames) FROM \(requests)")
        while let row = try rows.next() { changes.add(try RollupLayout.sample(row)) }
        try apply(changes, db)
    }

    /// The sample of the record `id` as stored, if there is one.
    static func storedSample(_ id: String, _ db: Database) throws -> StatsSample? {
        let statement = try db.cachedStatement(sql: "SELECT \(RollupLayout.sampleColumnNames) FROM \(requests) WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id]).map { try RollupLayout.sample($0) }
    }
}
