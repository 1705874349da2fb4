import Foundation
import GRDB
import Testing

@testable import LLMTraceModel
@testable import Server

/// A trace.db written by the JSON-document schema opens with this build and answers as before: every
/// record, list, statistic and timeseries the same as the memory store holding the same records.
@Suite struct SQLiteMigrationTests {
    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-legacy-\(UUID().uuidString).db").path
    }

    /// The conformance suite's varied records, more than one conversion chunk of them, and one with a
    /// NUL in its text, unicode headers and a binary body.
    static func records() -> [TraceRecord] {
        // Records of the JSON-document schema, which had no sessions or replays.
        var records = StoreConformanceTests.records(3 * SQLiteStore.conversionChunk + 17).map { r in
            var r = r
            (r.summary.sessionId, r.summary.turn, r.summary.replayOf) = (nil, nil, nil)
            return r
        }
        var r = records[7]
        r.summary.text = "naïve café — 日本語 — \u{0}nul — tab\tand\nnewline"
        r.requestHeaders = [
            HeaderField(name: "x-ünïcode", value: "välue ✓"), HeaderField(name: "x-dup", value: "1"), HeaderField(name: "x-dup", value: "2"),
        ]
        r.responseBody = CapturedBody(bytes: (0...255).map { UInt8($0) } + [0, 0, 0xc3], size: 9999, truncated: false, decodedFrom: "br")
        records[7] = r
        return records
    }

    /// Everything a client can ask, as text, for comparison.
    static func answers(_ store: any TraceStore, ids: [String]) async throws -> [String] {
        var out: [String] = ["count \(try await store.count())"]
        for id in ids { out.append("record \(String(describing: try await store.record(id: id)))") }
        for f in StoreConformanceTests.filters {
            out.append("list \(f): \(try await StoreConformanceTests.allIDs(store, f, pageSize: 97))")
            out.append("stats \(f): \(try await store.stats(filter: f))")
        }
        for text in StoreConformanceTests.expressions {
            let f = RequestFilter(expression: try FilterParser.parse(text))
            out.append("list \(text): \(try await StoreConformanceTests.allIDs(store, f, pageSize: 50))")
            out.append("stats \(text): \(try await store.stats(filter: f))")
        }
        out.append("page \(try await store.list(filter: RequestFilter(), page: PageRequest(limit: 1000)).items)")
        let t0 = StoreConformanceTests.t0
        for (bucket, from, to) in [(60, -60.0, 1500.0), (3600, -7200.0, 7200.0), (10, 100.0, 400.0)] {
            let series = try await store.timeseries(
                filter: RequestFilter(),
                bucketSeconds: bucket,
                since: t0.addingTimeInterval(from),
                until: t0.addingTimeInterval(to)
            )
            out.append("timeseries \(bucket): \(String(describing: series))")
        }
        return out
    }

    @Test(arguments: [true, false])
    func aDatabaseOfTheJSONDocumentSchemaOpensWithEveryAnswerUnchanged(withV2: Bool) async throws {
        let records = Self.records()
        let path = Self.tempPath()
        try LegacySQLiteFile.make(path: path, records: records, withV2: withV2)

        let store = try SQLiteStore(path: path)
        let memory = MemoryStore(limit: 1_000_000)
        try await memory.save(records)
        let ids = records.map(\.id) + ["no-such-id"]
        let answer = try await Self.answers(store, ids: ids)
        let reference = try await Self.answers(memory, ids: ids)
        #expect(answer.count == reference.count)
        for (a, r) in zip(answer, reference) { #expect(a == r) }
        for r in records { #expect(try await store.record(id: r.id) == r) }

        // The old table and rollups are gone; the rollups were built from the records.
        let tables = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(tables == ["grdb_migrations", "llmtrace_requests", "llmtrace_rollup_hourly"])
        let rolledUp = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT SUM(requests) FROM llmtrace_rollup_hourly") }
        #expect(rolledUp == records.count)
        // Saving and reopening work as on a new file.
        var changed = records[3]
        changed.summary.status = 503
        try await store.save([changed])
        try await store.close()
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.record(id: changed.id) == changed)
        #expect(try await reopened.count() == records.count)
        try await reopened.close()
    }

    /// A conversion cut short after migrating carries on at the next start.
    @Test func aConversionLeftUnfinishedCarriesOn() async throws {
        let records = Array(Self.records().prefix(700))
        let path = Self.tempPath()
        try LegacySQLiteFile.make(path: path, records: records)
        let queue = try DatabaseQueue(path: path)
        try SQLiteStore.migrator.migrate(queue)
        try queue.close()

        let store = try SQLiteStore(path: path)
        #expect(try await store.count() == 700)
        for r in records.prefix(50) { #expect(try await store.record(id: r.id) == r) }
        let memory = MemoryStore(limit: 1000)
        try await memory.save(records)
        #expect(try await store.stats(filter: RequestFilter()) == (try await memory.stats(filter: RequestFilter())))
        try await store.close()
    }

    @Test func readOnlyOpeningOfAnUnconvertedFileSaysWhatToDo() throws {
        let path = Self.tempPath()
        try LegacySQLiteFile.make(path: path, records: Array(Self.records().prefix(3)))
        #expect {
            _ = try SQLiteStore(path: path, readOnly: true)
        } throws: { error in
            (error as? StoreError)?.message.contains("open it once with write access") == true
        }
    }

    @Test func aDatabaseFromANewerLlmtraceIsRefused() async throws {
        let path = Self.tempPath()
        let store = try SQLiteStore(path: path)
        try await store.save(Array(Self.records().prefix(2)))
        try await store.pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: from the future')") }
        try await store.close()
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            (error as? StoreError)?.message.contains("newer llmtrace") == true
        }
    }

    @Test func aNewFileIsReadableByItsOwnerOnly() async throws {
        let path = Self.tempPath()
        let store = try SQLiteStore(path: path)
        try await store.save(Array(Self.records().prefix(1)))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try await store.close()
    }
}
