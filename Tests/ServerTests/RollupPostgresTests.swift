import Foundation
import Logging
import PostgresNIO
import Testing

@testable import LLMTraceModel
@testable import Server

/// The PostgreSQL store keeps the engine-neutral rollups (``RollupLayout``, ``RollupChanges``) in step
/// with its records through saves, replacements and prunes, and answers statistics and timeseries from
/// them (``RollupAggregator``) as the memory store does.
@Suite struct RollupPostgresTests {
    @Test(.enabled(if: conformancePostgresURL != nil, "LLMTRACE_TEST_POSTGRES_URL is not set: the PostgreSQL rollup test is skipped"))
    func theRollupLayoutAnswersOnPostgreSQLAsTheMemoryStoreDoes() async throws {
        let store = try #require(try await StoreConformanceTests.makeStore(.postgres) as? PostgresStore)
        do {
            var records = RollupTests.randomRecords(2000, seed: 5)
            try await store.save(records)
            // Replacing records moves them between rows.
            for i in stride(from: 0, to: 600, by: 3) {
                records[i].summary.env = "staging"
                records[i].summary.durationMs = Double(i) * 7.25
            }
            try await store.save(Array(records.prefix(600)))
            // Pruning takes the oldest out of their rows.
            let pruned = try await store.prune(olderThan: nil, keepNewest: 1900, limit: 1000)
            #expect(pruned == 100)
            records = Array(records.sorted { $0.id < $1.id }.dropFirst(100))
            var rollupRows = 0
            for try await n in try await store.client.query("SELECT count(*) FROM \(unescaped: store.rollups)").decode(Int.self) { rollupRows = n }
            #expect(rollupRows > 0)

            let memory = MemoryStore(limit: 10_000)
            try await memory.save(records)
            for (name, filter) in RollupTests.filters {
                RollupTests.expectEqual(try await store.stats(filter: filter), try await memory.stats(filter: filter), "postgres stats \(name)")
            }
            let d = { (h: Double) in Date(timeIntervalSince1970: RollupTests.t0 + h * 3600) }
            for (filter, bucket, since, until) in [(RequestFilter(), 3600, d(0.4), d(29.6)), (RequestFilter(model: "gemini"), 7200, d(-3), d(31))] {
                RollupTests.expectEqual(
                    try await store.timeseries(filter: filter, bucketSeconds: bucket, since: since, until: until),
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
