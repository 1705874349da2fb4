import Foundation
import GRDB
import LLMTraceModel
import Logging

extension SQLiteStore {
    /// A record's headers, bodies and choices as the JSON-document schema kept them (its `detail` column).
    struct LegacyDetail: Decodable {
        var requestHeaders: [HeaderField]
        var responseHeaders: [HeaderField]
        var requestBody: CapturedBody?
        var responseBody: CapturedBody?
        /// Absent in rows written before choices were kept.
        var choices: [Choice]?
    }

    /// Records moved per transaction: small enough that the WAL stays small and freed pages of the old
    /// table are reused for the new one, large enough that commits cost little.
    static let conversionChunk = 500

    /// Moves every record of a database made by the JSON-document schema into `llmtrace_requests`, then
    /// drops the old table and builds the rollups. Each chunk (decode the summary and detail documents,
    /// insert through ``RecordLayout/values(of:node:)``, delete the old rows) is one transaction, so an
    /// interrupted conversion loses nothing and carries on at the next start. Start times come from the
    /// old `started_at` column, which lists and statistics used (the summary document kept milliseconds).
    static func convertLegacyRecords(_ pool: DatabasePool, path: String, logger: Logger) throws {
        guard try pool.read({ try $0.tableExists(legacyTable) }) else { return }
        let total = try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(legacyTable)") ?? 0 }
        logger.notice("converting \(total) records of \(path) to the typed record layout (once, after an upgrade)")
        let decoder = JSONCoding.makeDecoder()
        let startedAtIndex = RecordLayout.insertColumns.firstIndex { $0.name == "started_at" } ?? 1
        let clock = ContinuousClock()
        let started = clock.now
        var lastReport = started
        var moved = 0
        while true {
            let n = try pool.write { db -> Int in
                let insert = try db.cachedStatement(sql: insertSQL)
                let rows = try Row.fetchCursor(
                    db,
                    sql: "SELECT rowid, id, started_at, summary, detail FROM \(legacyTable) ORDER BY rowid LIMIT ?",
                    arguments: [conversionChunk]
                )
                var last: Int64?
                var n = 0
                while let row = try rows.next() {
                    let id: String = row[1]
                    let startedAt: Double = row[2]
                    do {
                        var summary = try decoder.decode(TraceSummary.self, from: Data((row[3] as String).utf8))
                        summary.startedAt = Date(timeIntervalSince1970: startedAt)
                        let detail = try decoder.decode(LegacyDetail.self, from: Data((row[4] as String).utf8))
                        let record = TraceRecord(
                            summary: summary,
                            requestHeaders: detail.requestHeaders,
                            responseHeaders: detail.responseHeaders,
                            requestBody: detail.requestBody,
                            responseBody: detail.responseBody,
                            choices: detail.choices
                        )
                        var values = try RecordLayout.values(of: record)
                        values[startedAtIndex] = .real(startedAt)
                        try insert.execute(arguments: StatementArguments(values))
                    } catch let error as DecodingError {
                        throw StoreError("cannot convert record \(id) of \(path) to the typed record layout: \(error)")
                    }
                    last = row[0]
                    n += 1
                }
                if let last { try db.execute(sql: "DELETE FROM \(legacyTable) WHERE rowid <= ?", arguments: [last]) }
                return n
            }
            moved += n
            if n == 0 { break }
            if clock.now - lastReport > .seconds(5) {
                lastReport = clock.now
                logger.notice("converted \(moved) of \(total) records (\(total > 0 ? moved * 100 / total : 100) %)")
            }
        }
        try pool.write { db in
            try db.execute(sql: "DROP TABLE \(legacyTable)")
            try rebuildRollups(db)
        }
        logger.notice("converted \(moved) records of \(path) in \(clock.now - started)")
    }
}
