import Foundation
import Logging
import PostgresNIO
import Testing

@testable import LLMTraceModel
@testable import Server

/// The PostgreSQL server the conformance tests use, if any.
let conformancePostgresURL = ProcessInfo.processInfo.environment["LLMTRACE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
/// The MySQL or MariaDB server the conformance tests use, if any.
let conformanceMySQLURL = ProcessInfo.processInfo.environment["LLMTRACE_TEST_MYSQL_URL"].flatMap { $0.isEmpty ? nil : $0 }
/// The stores compared with the memory store.
let conformanceKinds: [StoreConformanceTests.Kind] =
    [.sqlite] + (conformancePostgresURL != nil ? [.postgres] : []) + (conformanceMySQLURL != nil ? [.mysql] : [])

/// One behaviour for every store: each scenario runs on the memory store (the reference) and on every
/// other store, and their answers must be identical. PostgreSQL joins when `LLMTRACE_TEST_POSTGRES_URL`
/// is set and MySQL / MariaDB when `LLMTRACE_TEST_MYSQL_URL` is (`eval "$(scripts/dev-databases start)"`);
/// otherwise ``postgresServerIsConfigured()`` and ``mysqlServerIsConfigured()`` are reported as skipped,
/// with the reason.
@Suite struct StoreConformanceTests {
    enum Kind: String, Sendable, CustomTestStringConvertible {
        case sqlite, postgres, mysql
        var testDescription: String { rawValue }
    }

    static let postgresURL = conformancePostgresURL
    static let mysqlURL = conformanceMySQLURL

    @Test(
        .enabled(
            if: conformancePostgresURL != nil,
            "LLMTRACE_TEST_POSTGRES_URL is not set: the PostgreSQL store conformance tests are skipped (start a server with scripts/dev-databases start)"
        )
    )
    func postgresServerIsConfigured() async throws {
        let store = try await Self.makeStore(.postgres)
        #expect(try await store.count() == 0)
        try await Self.dispose(store)
    }

    @Test(.enabled(if: conformancePostgresURL != nil, "LLMTRACE_TEST_POSTGRES_URL is not set: PostgreSQL migration tests skipped"))
    func threeNodesStartingAtOnceMigrateOnceAndANewerSchemaRefusesToStart() async throws {
        let url = try DatabaseURL(try #require(Self.postgresURL))
        let schema = "llmtrace_m_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresStore.connect(url, schema: String(schema)) } }
            return try await group.reduce(into: [PostgresStore]()) { $0.append($1) }
        }
        #expect(stores.count == 3)
        var versions: [Int32] = []
        for try await v in try await stores[0].client.query("SELECT version FROM \(unescaped: stores[0].table("llmtrace_migrations"))").decode(
            Int32.self
        ) {
            versions.append(v)
        }
        #expect(versions.map(Int.init) == stores[0].migrations().map(\.version))
        try await stores[0].save(Self.records(3))
        #expect(try await stores[2].count() == 3)
        // A database migrated by a newer llmtrace: this one refuses it, and says what to do.
        try await stores[0].client.query(
            "INSERT INTO \(unescaped: stores[0].table("llmtrace_migrations")) (version, name) VALUES (99, 'from the future')"
        )
        await #expect(throws: StoreError.self) { _ = try await PostgresStore.connect(url, schema: String(schema)) }
        do {
            _ = try await PostgresStore.connect(url, schema: String(schema))
        } catch let error as StoreError {
            #expect(error.message.contains("newer llmtrace"), "\(error.message)")
            #expect(!error.message.contains(url.password ?? "\u{0}"), "\(error.message)")
        }
        try await stores[0].client.query("DROP SCHEMA \(unescaped: "\"\(schema)\"") CASCADE")
        for store in stores { try await store.close() }
    }

    @Test(
        .enabled(
            if: conformanceMySQLURL != nil,
            "LLMTRACE_TEST_MYSQL_URL is not set: the MySQL / MariaDB store conformance tests are skipped (start a server with scripts/dev-databases start)"
        )
    )
    func mysqlServerIsConfigured() async throws {
        let store = try await Self.makeStore(.mysql)
        #expect(try await store.count() == 0)
        try await Self.dispose(store)
    }

    @Test(.enabled(if: conformanceMySQLURL != nil, "LLMTRACE_TEST_MYSQL_URL is not set: MySQL migration tests skipped"))
    func mysqlThreeNodesStartingAtOnceMigrateOnceAndANewerSchemaRefusesToStart() async throws {
        let url = try await MySQLTestDatabase.create()
        let stores = try await withThrowingTaskGroup(of: MySQLStore.self) { group in
            for node in 0..<3 { group.addTask { try await MySQLStore.connect(url, node: "node-\(node)") } }
            return try await group.reduce(into: [MySQLStore]()) { $0.append($1) }
        }
        #expect(stores.count == 3)
        let versions = try await stores[0].pool.withConnection { c in
            try c.query("SELECT version FROM llmtrace_migrations ORDER BY version").compactMap { $0.values.first?.int }
        }
        #expect(versions == stores[0].migrations().map(\.version))
        try await stores[0].save(Self.records(3))
        #expect(try await stores[2].count() == 3)
        // A database migrated by a newer llmtrace: this one refuses it, and says what to do.
        _ = try await stores[0].pool.withConnection { c in
            try c.execute("INSERT INTO llmtrace_migrations (version, name) VALUES (?, ?)", [.integer(99), .text("from the future")])
        }
        do {
            let store = try await MySQLStore.connect(url)
            try await store.close()
            Issue.record("a database at schema version 99 was opened")
        } catch let error as StoreError {
            #expect(error.message.contains("newer llmtrace"), "\(error.message)")
            #expect(!error.message.contains(url.password ?? "\u{0}"), "\(error.message)")
        }
        for store in stores { try await store.close() }
        try await MySQLTestDatabase.drop(url)
    }

    static func makeStore(_ kind: Kind) async throws -> any TraceStore {
        switch kind {
        case .sqlite:
            return try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-conf-\(UUID().uuidString).db").path)
        case .postgres:
            let url = try DatabaseURL(try #require(postgresURL))
            // A schema of its own per store: tests run in parallel on one database.
            let schema = "llmtrace_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            // Windows of 7 ids (then 14, 28…): filter-language and text reads cross many of them here.
            return try await PostgresStore.connect(url, schema: String(schema), firstIDWindow: 7, logger: Logger(label: "conformance"))
        case .mysql:
            // A database of its own per store: tests run in parallel on one server.
            return try await MySQLStore.connect(try await MySQLTestDatabase.create(), logger: Logger(label: "conformance"))
        }
    }

    static func dispose(_ store: any TraceStore) async throws {
        if let pg = store as? PostgresStore {
            try await pg.client.query("DROP SCHEMA \(unescaped: "\"\(pg.schema)\"") CASCADE")
        }
        try await store.close()
        if let my = store as? MySQLStore { try await MySQLTestDatabase.drop(my.url) }
    }

    /// Runs `scenario` on a fresh memory store and a fresh store of `kind`; returns both answers.
    static func both<Answer: Sendable>(
        _ kind: Kind,
        _ scenario: @Sendable (any TraceStore) async throws -> Answer
    ) async throws -> (reference: Answer, answer: Answer) {
        let reference = try await scenario(MemoryStore(limit: 1_000_000))
        let store = try await makeStore(kind)
        do {
            let answer = try await scenario(store)
            try await dispose(store)
            return (reference, answer)
        } catch {
            try? await dispose(store)
            throw error
        }
    }

    // MARK: Data

    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    /// Varied records: envs, models (some absent), statuses and errors, streams, unfinished ones, usage
    /// with and without totals. Costs are multiples of 1/1024 and durations of 1/4 ms, so sums are exact
    /// in any order and answers can be compared for equality. Start times are whole quarter seconds, which
    /// every store keeps exactly (as Unix seconds in a double).
    static func records(_ n: Int, offset: Int = 0) -> [TraceRecord] {
        let envs = ["prod", "dev", "ci", "Staging"]
        let models: [String?] = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", nil, "gemini-1.5"]
        let statuses: [Int?] = [200, 200, 200, 429, 500, 404, 200, nil]
        return (0..<n).map { k in
            let i = k + offset
            let model = models[i % models.count]
            var s = TraceSummary(
                id: String(format: "%012x-%08x", 1_795_000_000_000 + i * 997, i),
                env: envs[i % envs.count],
                method: "POST",
                scheme: "https",
                host: model?.hasPrefix("claude") == true ? "api.anthropic.com" : "api.openai.com",
                path: i % 6 == 0 ? "/v1/responses" : "/v1/chat/completions",
                query: i % 9 == 0 ? "api-version=1" : nil,
                provider: model == nil ? nil : model?.hasPrefix("claude") == true ? "anthropic" : "openai",
                endpoint: "chat",
                model: model,
                stream: i % 3 == 0,
                status: statuses[i % statuses.count],
                startedAt: t0.addingTimeInterval(Double(i) * 0.75 + 0.25)
            )
            if i % 11 == 0 { s.error = TraceError(type: "upstream", message: "Connection RESET by peer \(i)") }
            if i % 4 != 3 {
                s.usage = Usage(
                    inputTokens: 100 + i * 7,
                    outputTokens: i * 3,
                    cachedInputTokens: i % 2 == 0 ? 10 : nil,
                    totalTokens: i % 5 == 0 ? nil : 100 + i * 10
                )
                s.estimatedCost = model == "gemini-1.5" ? nil : Double(i % 17 + 1) / 1024
            }
            s.durationMs = i % 13 == 0 ? nil : Double(i * 37 % 4000) + 0.25 * Double(i % 4)
            s.ttftMs = s.stream ? Double(i % 300) : nil
            s.complete = s.durationMs != nil
            s.text = i % 7 == 0 ? "Grüße — ответ \(i) 🎉" : "Answer number \(i)"
            s.finishReason = s.complete ? "stop" : nil
            if i % 8 == 0 { s.toolCalls = [ToolCall(id: "call_\(i)", name: "lookup", arguments: #"{"q":"x"}"#, type: "function")] }
            if i % 10 == 0 { s.modelSource = "deployment" }
            // Sessions of one env each (8 is a multiple of the envs' count), a few records in none.
            if i % 9 != 4 {
                s.sessionId = "s\(i % 8)"
                s.turn = i / 8 + 1
            }
            if i % 15 == 7 { s.replayOf = String(format: "%012x-%08x", 1_795_000_000_000, 0) }
            return TraceRecord(
                summary: s,
                requestHeaders: [HeaderField(name: "content-type", value: "application/json")],
                responseHeaders: i % 2 == 0 ? [HeaderField(name: "x-request-id", value: "req-\(i)")] : [],
                requestBody: CapturedBody(bytes: Array(#"{"model":"\#(model ?? "")","n":\#(i)}"#.utf8), size: 30, truncated: false),
                responseBody: i % 5 == 0
                    ? CapturedBody(bytes: [0x1f, 0x8b, 0, UInt8(i % 256), 0xff], size: 5, truncated: false, decodedFrom: "gzip") : nil,
                choices: i % 12 == 0 ? [Choice(index: 0, text: "a", finishReason: "stop")] : nil
            )
        }
    }

    /// Every id a filter lists, paging `pageSize` at a time through cursors.
    static func allIDs(_ store: any TraceStore, _ filter: RequestFilter, pageSize: Int = 7) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.list(filter: filter, page: PageRequest(limit: pageSize, cursor: cursor))
            ids += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        return ids
    }

    static var filters: [RequestFilter] {
        [
            RequestFilter(), RequestFilter(env: "prod"), RequestFilter(model: "gpt-4o"), RequestFilter(status: .code(429)),
            RequestFilter(status: .family(5)), RequestFilter(status: .error), RequestFilter(text: "number 1"),
            RequestFilter(text: "ОТВЕТ"), RequestFilter(text: "grüße"), RequestFilter(text: "reset BY"),
            RequestFilter(since: t0.addingTimeInterval(10), until: t0.addingTimeInterval(40.5)),
            RequestFilter(env: "dev", model: "claude-3-5-sonnet", since: t0.addingTimeInterval(3)),
        ]
    }

    static let expressions = [
        "~e prod", "~e staging", "~m gpt", "~m GPT-4O & !~err", "~p anthropic | ~h openai", "~s 4xx", "~s 500", "~err",
        "~stream & ~done", "!~done", "~tok>500", "~in>=300 & ~out<90", "~cost>0.01", "~ms>2000 | ~ttft<50", "ответ",
        "~all", "!(~e ci | ~e dev) & ~s 200", "~m /^gpt-4o(-mini)?$/", "~session s3", "~session S3", "~session /s[12]/ & ~err",
    ]

    // MARK: Scenarios

    @Test(arguments: conformanceKinds)
    func savesReplacesAndReadsBack(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            let originals = Self.records(30)
            try await store.save(originals)
            var changed = originals[4]
            changed.summary.status = 503
            changed.summary.complete = false
            changed.responseBody = nil
            try await store.save([changed, changed])  // the same id twice in one batch: the last wins
            try await store.save([originals[5]])  // saving again changes nothing
            var read: [TraceRecord?] = []
            for r in originals { read.append(try await store.record(id: r.id)) }
            read.append(try await store.record(id: "no-such-id"))
            return (read, try await store.count())
        }
        #expect(answer.1 == reference.1)
        #expect(answer.0 == reference.0)
        #expect(answer.0[4]?.summary.status == 503)
        #expect(answer.0.prefix(30).allSatisfy { $0 != nil })
    }

    @Test(arguments: conformanceKinds)
    func listsWithEveryFilterAndPagesByCursor(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            try await store.save(Self.records(80))
            var out: [[String]] = []
            for f in Self.filters {
                out.append(try await Self.allIDs(store, f))
                out.append(try await Self.allIDs(store, f, pageSize: 1000))
            }
            // Pages read the same summaries, not only the same ids.
            out.append(try await store.list(filter: RequestFilter(), page: PageRequest(limit: 1000)).items.map { "\($0)" })
            return out
        }
        #expect(answer == reference)
        #expect(reference[0].count == 80)
    }

    @Test(arguments: conformanceKinds)
    func listsSessionsWithTheirTotals(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            try await store.save(Self.records(90))
            var out: [[SessionSummary]] = []
            let scoped = {
                var f = RequestFilter()
                f.environments = ["prod", "ci"]
                return f
            }()
            for f in Self.filters + [scoped] {
                out.append(try await store.sessions(filter: f, minTurns: 1, limit: 100))
                out.append(try await store.sessions(filter: f, minTurns: 1, limit: 3))
                out.append(try await store.sessions(filter: f, minTurns: 11, limit: 100))
            }
            return out
        }
        #expect(answer == reference)
        // Every session of the unfiltered list, with its turns, models and sums.
        #expect(reference[0].count == 8)
        #expect(reference[0].map(\.turns).reduce(0, +) == 90 - 10)
        #expect(reference[1].count == 3)
        #expect(!reference[2].isEmpty && reference[2].count < 8 && reference[2].allSatisfy { $0.turns >= 11 })
        let s3 = try #require(reference[0].first { $0.id == "s3" })
        #expect(s3.env == "Staging" && s3.models == ["claude-3-5-sonnet", "gemini-1.5", "gpt-4o", "gpt-4o-mini"])
    }

    @Test(arguments: conformanceKinds)
    func answersTheFilterLanguage(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            try await store.save(Self.records(90))
            var out: [String] = []
            for text in Self.expressions {
                let filter = RequestFilter(expression: try FilterParser.parse(text))
                let ids = try await Self.allIDs(store, filter, pageSize: 4)
                let stats = try await store.stats(filter: filter)
                out.append("\(text): \(ids)")
                out.append("\(text): \(stats)")
            }
            return out
        }
        for (a, r) in zip(answer, reference) { #expect(a == r) }
        #expect(answer.count == reference.count)
    }

    @Test(arguments: conformanceKinds)
    func statsAndTimeseriesWithP95(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            try await store.save(Self.records(120))
            var stats: [Stats] = []
            for f in Self.filters { stats.append(try await store.stats(filter: f)) }
            var series: [Timeseries?] = []
            for (bucket, from, to) in [(10, 0.0, 130.0), (7, 3.5, 99.0), (60, -60.0, 200.0), (1, 0.0, 20_000.0)] {
                for f in [RequestFilter(), RequestFilter(env: "prod"), RequestFilter(expression: try FilterParser.parse("~err"))] {
                    series.append(
                        try await store.timeseries(
                            filter: f,
                            bucketSeconds: bucket,
                            since: Self.t0.addingTimeInterval(from),
                            until: Self.t0.addingTimeInterval(to)
                        )
                    )
                }
            }
            return (stats, series)
        }
        #expect(answer.0 == reference.0)
        #expect(answer.1 == reference.1)
        #expect(reference.0[0].p95ResponseTimeMs != nil)
        #expect(reference.1.contains { $0 == nil }, "too many buckets answers nil")
    }

    @Test(arguments: conformanceKinds)
    func costReportsByEveryGrouping(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            try await store.save(Self.records(120))
            var reports: [Report] = []
            for grouping in ReportGrouping.allCases {
                for f in Self.filters + [RequestFilter(expression: try FilterParser.parse("~err | ~m gpt"))] {
                    reports.append(try await store.report(filter: f, by: grouping))
                }
            }
            return reports
        }
        #expect(answer == reference)
        #expect(reference[0].totals.cachedInputTokens > 0 && reference[0].rows.count > 1)
    }

    @Test(arguments: conformanceKinds)
    func prunesByAgeAndCount(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            try await store.save(Self.records(60))
            var deleted: [Int] = []
            deleted.append(try await store.prune(olderThan: Self.t0.addingTimeInterval(10), keepNewest: nil, limit: 4))
            deleted.append(try await store.prune(olderThan: Self.t0.addingTimeInterval(10), keepNewest: nil, limit: 100))
            deleted.append(try await store.prune(olderThan: nil, keepNewest: 40, limit: 5))
            deleted.append(try await store.prune(olderThan: nil, keepNewest: 40, limit: 100))
            deleted.append(try await store.prune(olderThan: Self.t0.addingTimeInterval(30), keepNewest: 20, limit: 1000))
            deleted.append(try await store.prune(olderThan: nil, keepNewest: 1000, limit: 10))
            return (deleted, try await Self.allIDs(store, RequestFilter(), pageSize: 100), try await store.count())
        }
        #expect(answer.0 == reference.0)
        #expect(answer.1 == reference.1)
        #expect(answer.2 == reference.2)
        #expect(reference.2 == 20)
    }

    @Test(arguments: conformanceKinds)
    func clearsAndCounts(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            var counts = [try await store.count()]
            try await store.save(Self.records(25))
            counts.append(try await store.count())
            try await store.clear()
            counts.append(try await store.count())
            counts.append(try await store.list(filter: RequestFilter(), page: PageRequest()).items.count)
            counts.append(try await store.stats(filter: RequestFilter()).totalRequests)
            try await store.save(Self.records(3, offset: 100))
            counts.append(try await store.count())
            return counts
        }
        #expect(answer == reference)
        #expect(reference == [0, 25, 0, 0, 0, 3])
    }

    @Test(arguments: conformanceKinds)
    func keepsUnicodeAndBinaryBodiesExactly(kind: Kind) async throws {
        var r = Self.records(1, offset: 7)[0]
        r.summary.text = "naïve café — 日本語 — emoji 👩‍👩‍👧 — \u{0}nul — tab\tand\nnewline"
        r.requestHeaders = [
            HeaderField(name: "x-ünïcode", value: "välue ✓"), HeaderField(name: "x-dup", value: "1"), HeaderField(name: "x-dup", value: "2"),
        ]
        r.requestBody = CapturedBody(bytes: Array("{\"prompt\":\"Здравствуй, мир 🌍\"}".utf8), size: 40, truncated: true)
        r.responseBody = CapturedBody(bytes: (0...255).map { UInt8($0) } + [0, 0, 0xc3], size: 9999, truncated: false, decodedFrom: "br")
        let record = r
        let (reference, answer) = try await Self.both(kind) { store in
            try await store.save([record])
            return try await store.record(id: record.id)
        }
        #expect(answer == reference)
        #expect(answer == record)
        #expect(answer?.responseBody?.encoding == .base64)
    }

    @Test(arguments: conformanceKinds)
    func keepsA10MiBBody(kind: Kind) async throws {
        var r = Self.records(1, offset: 3)[0]
        var bytes = [UInt8](repeating: 0, count: 10 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        r.responseBody = CapturedBody(bytes: bytes, size: bytes.count, truncated: false)
        r.requestBody = CapturedBody(bytes: Array(String(repeating: "llmtrace ", count: (10 << 20) / 9).utf8), size: 10 << 20, truncated: true)
        let record = r
        let store = try await Self.makeStore(kind)
        try await store.save([record])
        let back = try await store.record(id: record.id)
        #expect(back == record)
        #expect(back?.responseBody?.bytes.count == 10 << 20)
        try await Self.dispose(store)
    }

    @Test(arguments: conformanceKinds)
    func takesConcurrentWriters(kind: Kind) async throws {
        let (reference, answer) = try await Self.both(kind) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<8 {
                    group.addTask {
                        // Each writer saves its own records in small batches, and one record every writer shares.
                        let mine = Self.records(25, offset: w * 25)
                        for start in stride(from: 0, to: mine.count, by: 5) {
                            try await store.save(Array(mine[start..<start + 5]) + Self.records(1, offset: 500))
                        }
                    }
                }
                try await group.waitForAll()
            }
            return (
                try await store.count(), try await Self.allIDs(store, RequestFilter(), pageSize: 1000), try await store.stats(filter: RequestFilter())
            )
        }
        #expect(answer.0 == reference.0)
        #expect(answer.1 == reference.1)
        #expect(answer.2 == reference.2)
        #expect(reference.0 == 201)
    }
}
