import Foundation
import GRDB
import Testing

@testable import LLMTraceModel
@testable import Server

/// The SQLite store answers statistics and timeseries from hourly rollups and exact percentiles; these
/// must equal what the in-memory accumulators make of every matching record.
@Suite struct RollupTests {
    /// An hour boundary.
    static let t0 = 1_794_996_000.0

    /// `n` random records over `hours` hours from `t0`: a few envs and models (some without a model,
    /// one literally named "unknown", one unpriced), errors, unfinished requests, repeated durations.
    static func randomRecords(_ n: Int, hours: Double = 30, seed: UInt64 = 7, idOffset: Int = 0) -> [TraceRecord] {
        var rng = SeededRNG(state: seed)
        let envs = ["prod", "dev", "ci"]
        let models: [String?] = ["gpt-4o", "claude", "gemini", nil, "unknown", "local-model"]
        return (0..<n).map { i in
            let t = t0 + Double(rng.next() % UInt64(hours * 3600 * 1000)) / 1000
            let model = models[Int(rng.next() % UInt64(models.count))]
            var s = TraceSummary(
                id: String(format: "%012x-%08x", Int(t * 1000), idOffset + i),
                env: envs[Int(rng.next() % 3)],
                method: "POST",
                scheme: "https",
                host: "api.example.com",
                path: "/v1/chat",
                provider: model == "claude" ? "anthropic" : model == nil ? nil : "openai",
                model: model,
                status: rng.next() % 10 == 0 ? 500 : 200,
                startedAt: Date(timeIntervalSince1970: t)
            )
            if rng.next() % 5 != 0 {
                let input = Int(rng.next() % 5000)
                let output = Int(rng.next() % 800)
                s.usage = Usage(inputTokens: input, outputTokens: output, totalTokens: rng.next() % 4 == 0 ? nil : input + output)
                s.estimatedCost = model == "local-model" ? nil : Double(input) * 2.5e-6 + Double(output) * 1e-5
            }
            switch rng.next() % 10 {
            case 0: s.durationMs = nil  // unfinished
            case 1: s.durationMs = 250  // many equal durations
            case 2: s.durationMs = Double(rng.next() % 1000) / 10  // under 1 ms .. 100 ms
            default: s.durationMs = Double(rng.next() % 6_000_000) / 100
            }
            s.complete = s.durationMs != nil
            return TraceRecord(summary: s)
        }
    }

    static func makeStore() throws -> SQLiteStore {
        try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-rollup-\(UUID().uuidString).db").path)
    }

    static func expectEqual(_ a: Stats, _ b: Stats, _ context: String) {
        func close(_ x: Double?, _ y: Double?) -> Bool {
            guard let x, let y else { return x == nil && y == nil }
            return abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
        }
        func same(_ x: [Stats.Breakdown], _ y: [Stats.Breakdown]) -> Bool {
            x.count == y.count
                && zip(x, y).allSatisfy { p, q in
                    p.model == q.model && p.env == q.env && p.requests == q.requests && p.promptTokens == q.promptTokens
                        && p.completionTokens == q.completionTokens && p.totalTokens == q.totalTokens && close(p.estimatedCost, q.estimatedCost)
                        && close(p.avgResponseTimeMs, q.avgResponseTimeMs) && p.p95ResponseTimeMs == q.p95ResponseTimeMs && p.errors == q.errors
                }
        }
        #expect(a.totalRequests == b.totalRequests, "\(context)")
        #expect(a.totalPromptTokens == b.totalPromptTokens, "\(context)")
        #expect(a.totalCompletionTokens == b.totalCompletionTokens, "\(context)")
        #expect(a.totalTokens == b.totalTokens, "\(context)")
        #expect(close(a.estimatedCost, b.estimatedCost), "\(context)")
        #expect(close(a.avgResponseTimeMs, b.avgResponseTimeMs), "\(context)")
        #expect(
            a.p95ResponseTimeMs == b.p95ResponseTimeMs,
            "\(context): p95 \(String(describing: a.p95ResponseTimeMs)) vs \(String(describing: b.p95ResponseTimeMs))"
        )
        #expect(a.errors == b.errors, "\(context)")
        #expect(a.unpricedModels == b.unpricedModels, "\(context)")
        // Breakdown order depends on summed costs; compare as sets keyed by name, then the order when costs differ clearly.
        #expect(
            same(a.modelBreakdown.sorted { ($0.model ?? "") < ($1.model ?? "") }, b.modelBreakdown.sorted { ($0.model ?? "") < ($1.model ?? "") }),
            "\(context): \(a.modelBreakdown) vs \(b.modelBreakdown)"
        )
        #expect(
            same(a.envBreakdown.sorted { ($0.env ?? "") < ($1.env ?? "") }, b.envBreakdown.sorted { ($0.env ?? "") < ($1.env ?? "") }),
            "\(context)"
        )
    }

    static func expectEqual(_ a: Timeseries?, _ b: Timeseries?, _ context: String) {
        guard let a, let b else {
            #expect(a == nil && b == nil, "\(context)")
            return
        }
        #expect(a.bucketSeconds == b.bucketSeconds && a.since == b.since && a.until == b.until, "\(context)")
        #expect(a.buckets.count == b.buckets.count, "\(context)")
        for (x, y) in zip(a.buckets, b.buckets) {
            #expect(
                x.t == y.t && x.requests == y.requests && x.promptTokens == y.promptTokens && x.completionTokens == y.completionTokens
                    && x.errors == y.errors,
                "\(context) at \(x.t)"
            )
            #expect(abs(x.estimatedCost - y.estimatedCost) <= 1e-9, "\(context) at \(x.t)")
            #expect(x.p95ResponseTimeMs == y.p95ResponseTimeMs, "\(context) at \(x.t): p95")
            if let p = x.avgResponseTimeMs, let q = y.avgResponseTimeMs {
                #expect(abs(p - q) <= 1e-9 * max(1, p))
            } else {
                #expect(x.avgResponseTimeMs == y.avgResponseTimeMs)
            }
        }
    }

    /// Filters rollups answer: none, env, model (named, absent, literally "unknown"), aligned and
    /// unaligned time ranges, ranges inside one hour, and combinations.
    static var filters: [(String, RequestFilter)] {
        let d = { (h: Double) in Date(timeIntervalSince1970: t0 + h * 3600) }
        return [
            ("everything", RequestFilter()),
            ("env", RequestFilter(env: "dev")),
            ("model", RequestFilter(model: "claude")),
            ("model unknown", RequestFilter(model: "unknown")),
            ("no such env", RequestFilter(env: "nope")),
            ("aligned range", RequestFilter(since: d(3), until: d(20))),
            ("unaligned range", RequestFilter(since: d(2.37), until: d(17.81))),
            ("since only", RequestFilter(since: d(5.5))),
            ("until only", RequestFilter(until: d(9.25))),
            ("inside one hour", RequestFilter(since: d(4.1), until: d(4.9))),
            ("across one boundary", RequestFilter(since: d(4.1), until: d(5.2))),
            ("env model range", RequestFilter(env: "prod", model: "gpt-4o", since: d(1.5), until: d(28.3))),
        ]
    }

    static func compareEverything(_ store: SQLiteStore, _ label: String) async throws {
        for (name, filter) in filters {
            expectEqual(try await store.stats(filter: filter), try await store.accumulatedStats(filter: filter), "\(label) stats \(name)")
        }
        let d = { (h: Double) in Date(timeIntervalSince1970: t0 + h * 3600) }
        let series: [(String, RequestFilter, Int, Date, Date)] = [
            ("1h", RequestFilter(), 3600, d(0), d(30)),
            ("1h unaligned", RequestFilter(), 3600, d(0.4), d(29.6)),
            ("2h model", RequestFilter(model: "gemini"), 7200, d(-3), d(31)),
            ("1d env", RequestFilter(env: "ci"), 86400, d(0), d(30)),
            ("1h narrowed by filter", RequestFilter(since: d(3.3), until: d(12.7)), 3600, d(1), d(20)),
            ("5m (no rollups)", RequestFilter(), 300, d(4), d(6)),
        ]
        for (name, filter, bucket, since, until) in series {
            expectEqual(
                try await store.timeseries(filter: filter, bucketSeconds: bucket, since: since, until: until),
                try await store.accumulatedTimeseries(filter: filter, bucketSeconds: bucket, since: since, until: until),
                "\(label) timeseries \(name)"
            )
        }
    }

    @Test func rollupsAgreeWithTheAccumulators() async throws {
        let store = try Self.makeStore()
        let records = Self.randomRecords(4000)
        for chunk in stride(from: 0, to: records.count, by: 700) {
            try await store.save(Array(records[chunk..<min(chunk + 700, records.count)]))
        }
        try await Self.compareEverything(store, "after saving")

        // Replacing records (a started record completing, moving hour, env and model) keeps rollups right.
        var rng = SeededRNG(state: 99)
        var changed = Array(records.prefix(800))
        for i in changed.indices {
            changed[i].summary.durationMs = Double(rng.next() % 100_000) / 10
            if i % 3 == 0 { changed[i].summary.env = "staging" }
            if i % 4 == 0 { changed[i].summary.model = i % 8 == 0 ? nil : "gpt-4o" }
            if i % 5 == 0 { changed[i].summary.startedAt.addTimeInterval(5000) }
            if i % 7 == 0 { changed[i].summary.estimatedCost = nil }
        }
        try await store.save(changed)
        try await store.save(Array(changed.prefix(10)))  // the same again: no change
        try await Self.compareEverything(store, "after replacing")

        // Pruning subtracts what it deletes.
        var total = 0
        while true {
            let n = try await store.prune(olderThan: Date(timeIntervalSince1970: Self.t0 + 6 * 3600), keepNewest: 3000, limit: 250)
            total += n
            if n < 250 { break }
        }
        #expect(total > 0)
        #expect(try await store.count() == 3000)
        try await Self.compareEverything(store, "after pruning")

        try await store.clear()
        #expect(try await store.stats(filter: RequestFilter()) == StatsAccumulator().stats)
        try await store.close()
    }

    @Test func migratingAnOlderDatabaseBuildsTheRollups() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-v1-\(UUID().uuidString).db").path
        // A database as the first schema left it: no rollups, no duration bins.
        try LegacySQLiteFile.make(path: path, records: Self.randomRecords(1500, seed: 3), withV2: false)
        let store = try SQLiteStore(path: path)
        #expect(try await store.count() == 1500)
        try await Self.compareEverything(store, "migrated")
        try await store.close()
    }

    /// Filter-language scans narrow candidates in SQL first; they must find exactly what the memory
    /// store's full scan finds.
    @Test func filterExpressionsPushedIntoSQLMatchTheMemoryStore() async throws {
        let sqlite = try Self.makeStore()
        let memory = MemoryStore(limit: 10_000)
        var records = Self.randomRecords(3000, seed: 11)
        for i in records.indices where i % 7 == 0 { records[i].summary.env = "Prod" }
        try await sqlite.save(records)
        try await memory.save(records)
        let filters = [
            "~e prod", "~e PROD & ~err", "!~err & ~tok>2000", "~s 5xx | ~ms>30000", "~s 200 & !~done", "~done & ~cost<=0.001",
            "~in>=4000 | ~out<10", "~tok>=1000", "~m gpt & ~ms<100", "(~e ci | ~e dev) & ~cost>0.005", "!(~e ci) & ~err", "~e /^pro/ & ~out>700",
            "~ttft>5 | ~err", "~all & ~s 500", "~p ANTHRO & ~tok>2000 & !~err", "~p open | ~s 5xx", "~p /^open/",
        ]
        for text in filters {
            let filter = RequestFilter(expression: try FilterParser.parse(text))
            var a: [String] = []
            var b: [String] = []
            var cursor: String?
            repeat {
                let page = try await sqlite.list(filter: filter, page: PageRequest(limit: 37, cursor: cursor))
                a += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            repeat {
                let page = try await memory.list(filter: filter, page: PageRequest(limit: 37, cursor: cursor))
                b += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(a == b, "\(text): \(a.count) vs \(b.count)")
            #expect(!a.isEmpty, "\(text) matches something")
            Self.expectEqual(try await sqlite.stats(filter: filter), try await memory.stats(filter: filter), "stats \(text)")
        }
        try await sqlite.close()
    }

    @Test func durationBinsAreMonotonicAndMatchSQL() async throws {
        var last = DurationBins.bin(0)
        var ms = 0.001
        var probes: [Double] = [0, 9.99, 10, 999.99, 1000, 9999.9, 10_000, 99_999.9, 1e5, 1e6, 1e7, 1e12, -3]
        while ms < 1e9 {
            let b = DurationBins.bin(ms)
            #expect(b >= last && b < DurationBins.count)
            last = b
            probes.append(ms)
            ms *= 1.013
        }
        #expect(DurationBins.bin(.nan) == 0)
        #expect(DurationBins.bin(.infinity) == DurationBins.count - 1)
        // The generated column computes the same bins.
        let queue = try DatabaseQueue()
        let values = probes
        let sqlBins = try await queue.write { db in
            try db.execute(sql: "CREATE TABLE t (i INTEGER, duration_ms REAL, b INTEGER GENERATED ALWAYS AS (\(DurationBins.sqlExpression)) VIRTUAL)")
            for (i, p) in values.enumerated() { try db.execute(sql: "INSERT INTO t (i, duration_ms) VALUES (?, ?)", arguments: [i, p]) }
            return try Int.fetchAll(db, sql: "SELECT b FROM t ORDER BY i")
        }
        #expect(sqlBins == probes.map(DurationBins.bin))
    }

}

/// SplitMix64, for repeatable random records.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
