import Foundation
import Logging
import PostgresNIO
import Testing

@testable import LLMTraceModel
@testable import Server

/// The rollup layout is engine-neutral: its SQL (``RollupLayout``), maintained through ``RollupChanges``
/// and read by ``RollupAggregator`` through a ``RollupSource`` written here in a few plain queries, gives
/// PostgreSQL the same statistics as the memory store. (The PostgreSQL store does not keep rollups
/// yet; this is the path it can take.)
@Suite struct RollupPostgresTests {
    /// A ``RollupSource`` over PostgreSQL tables, in plain SQL.
    struct Source: RollupSource {
        let client: PostgresClient
        let requests: String
        let rollups: String

        func rows(_ query: RollupLayout.Query) async throws -> [PostgresRandomAccessRow] {
            var out: [PostgresRandomAccessRow] = []
            for try await row in try await client.query(PostgresQuery(unsafeSQL: query.sql, binds: PostgresBindings(query.values))) {
                out.append(row.makeRandomAccess())
            }
            return out
        }

        func rollupRows(hours: RollupHours, _ selection: RecordSelection) async throws -> [RollupRow] {
            try await rows(RollupLayout.rowsQuery(.postgres, table: rollups, hours: hours, selection)).map { try RollupLayout.row($0) }
        }

        func samples(_ selection: RecordSelection) async throws -> [StatsSample] {
            try await rows(RollupLayout.samplesQuery(.postgres, records: requests, selection)).map { try RollupLayout.sample($0) }
        }

        func durations(_ lookups: [DurationLookup]) async throws -> [Double?] {
            var out: [Double?] = []
            for lookup in lookups {
                out.append(try await rows(RollupLayout.durationQuery(.postgres, records: requests, lookup)).first?.value(at: 0, as: .real).double)
            }
            return out
        }
    }

    /// Applies `changes` in one transaction, locking each changed row first.
    static func apply(_ changes: RollupChanges, _ client: PostgresClient, rollups: String) async throws {
        try await client.withTransaction(logger: Logger(label: "test")) { connection in
            for key in changes.keys {
                let keyValues = RollupLayout.keyValues(key)
                try await connection.query(
                    PostgresQuery(unsafeSQL: RollupLayout.insertEmptySQL(.postgres, table: rollups), binds: PostgresBindings(keyValues)),
                    logger: Logger(label: "test")
                )
                var current: RollupTotals?
                let select = PostgresQuery(unsafeSQL: RollupLayout.selectTotalsSQL(.postgres, table: rollups), binds: PostgresBindings(keyValues))
                for try await row in try await connection.query(select, logger: Logger(label: "test")) {
                    current = try RollupLayout.totals(row.makeRandomAccess())
                }
                if let row = changes.applied(to: current, key: key) {
                    let upsert = PostgresQuery(
                        unsafeSQL: RollupLayout.upsertSQL(.postgres, table: rollups),
                        binds: PostgresBindings(keyValues + RollupLayout.totalsValues(row))
                    )
                    try await connection.query(upsert, logger: Logger(label: "test"))
                } else {
                    let delete = PostgresQuery(unsafeSQL: RollupLayout.deleteSQL(.postgres, table: rollups), binds: PostgresBindings(keyValues))
                    try await connection.query(delete, logger: Logger(label: "test"))
                }
            }
        }
    }

    @Test(.enabled(if: conformancePostgresURL != nil, "LLMTRACE_TEST_POSTGRES_URL is not set: the PostgreSQL rollup test is skipped"))
    func theRollupLayoutAnswersOnPostgreSQLAsTheMemoryStoreDoes() async throws {
        let store = try #require(try await StoreConformanceTests.makeStore(.postgres) as? PostgresStore)
        do {
            let requests = store.table(RecordLayout.table)
            let rollups = store.table(RollupLayout.table)
            try await store.client.query(PostgresQuery(unsafeSQL: RollupLayout.createTableSQL(.postgres, table: rollups)))
            try await store.client.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(requests) ADD COLUMN \(RollupLayout.durationBinColumnSQL(.postgres))")
            )

            var records = RollupTests.randomRecords(2000, seed: 5)
            try await store.save(records)
            var changes = RollupChanges()
            for r in records { changes.add(StatsSample(r.summary)) }
            try await Self.apply(changes, store.client, rollups: rollups)
            // Replacing records moves them between rows; a second writer's changes merge with the first's.
            changes = RollupChanges()
            for i in stride(from: 0, to: 600, by: 3) {
                changes.subtract(StatsSample(records[i].summary))
                records[i].summary.env = "staging"
                records[i].summary.durationMs = Double(i) * 7.25
                changes.add(StatsSample(records[i].summary))
            }
            try await store.save(Array(records.prefix(600)))
            try await Self.apply(changes, store.client, rollups: rollups)

            let memory = MemoryStore(limit: 10_000)
            try await memory.save(records)
            let aggregator = RollupAggregator(source: Source(client: store.client, requests: requests, rollups: rollups))
            for (name, filter) in RollupTests.filters {
                RollupTests.expectEqual(try await aggregator.stats(filter: filter), try await memory.stats(filter: filter), "postgres stats \(name)")
            }
            let d = { (h: Double) in Date(timeIntervalSince1970: RollupTests.t0 + h * 3600) }
            for (filter, bucket, since, until) in [(RequestFilter(), 3600, d(0.4), d(29.6)), (RequestFilter(model: "gemini"), 7200, d(-3), d(31))] {
                RollupTests.expectEqual(
                    try await aggregator.timeseries(filter: filter, bucketSeconds: bucket, since: since, until: until),
                    try await memory.timeseries(filter: filter, bucketSeconds: bucket, since: since, until: until),
                    "postgres timeseries \(bucket)"
                )
            }
        } catch {
            try? await StoreConformanceTests.dispose(store)
            throw error
        }
        try await StoreConformanceTests.dispose(store)
    }
}
