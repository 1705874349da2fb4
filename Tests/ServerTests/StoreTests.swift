import Foundation
import Testing

@testable import LLMTraceModel
@testable import Server

/// The same behaviour, required of every store.
@Suite struct StoreTests {
    enum Kind: String, CaseIterable, Sendable { case memory, sqlite }

    static func makeStore(_ kind: Kind, path: String? = nil) throws -> any TraceStore {
        switch kind {
        case .memory: return MemoryStore(limit: 1000)
        case .sqlite:
            return try SQLiteStore(
                path: path ?? FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-\(UUID().uuidString).db").path
            )
        }
    }

    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    static func record(_ i: Int, env: String = "dev", model: String = "gpt-4o", status: Int = 200) -> TraceRecord {
        var s = TraceSummary(
            id: String(format: "%012x-%08x", 1_795_000_000_000 + i, i),
            env: env,
            method: "POST",
            scheme: "https",
            host: "api.openai.com",
            path: "/v1/chat/completions",
            model: model,
            status: status,
            startedAt: t0.addingTimeInterval(Double(i))
        )
        s.usage = Usage(inputTokens: 10, outputTokens: i, totalTokens: 10 + i)
        s.estimatedCost = 0.001
        s.durationMs = 100
        s.complete = true
        s.text = "answer number \(i)"
        return TraceRecord(
            summary: s,
            requestHeaders: [HeaderField(name: "content-type", value: "application/json")],
            requestBody: CapturedBody(bytes: Array(#"{"model":"gpt-4o"}"#.utf8), size: 18, truncated: false)
        )
    }

    @Test(arguments: Kind.allCases)
    func keepsChoicesToolCallTypesAndModelSource(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        var r = Self.record(1, model: "gpt4o-prod")
        r.summary.modelSource = "deployment"
        r.summary.toolCalls = [
            ToolCall(id: "ws_1", name: "web_search", arguments: #"{"action":{}}"#, type: "web_search_call", output: "[]"),
            ToolCall(id: "call_1", name: "f", arguments: "{}", type: "function"),
        ]
        r.choices = [Choice(index: 0, text: "answer number 1", finishReason: "stop"), Choice(index: 1, text: nil, finishReason: "length")]
        try await store.save([r, Self.record(2)])
        #expect(try await store.record(id: r.id) == r)
        #expect(try await store.record(id: Self.record(2).id)?.choices == nil)
        let listed = try await store.list(filter: RequestFilter(model: "gpt4o-prod"), page: PageRequest(limit: 10))
        #expect(listed.items.map(\.modelSource) == ["deployment"])
        #expect(listed.items.first?.toolCalls == r.summary.toolCalls)
    }

    @Test(arguments: Kind.allCases)
    func savesReplacesAndReadsBack(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        var r = Self.record(1)
        r.summary.complete = false
        try await store.save([r])
        r.summary.complete = true
        r.summary.status = 201
        try await store.save([r])
        #expect(try await store.count() == 1)
        #expect(try await store.record(id: r.id) == r)
        #expect(try await store.record(id: "nope") == nil)
        try await store.close()
    }

    @Test(arguments: Kind.allCases)
    func pagesNewestFirstWithFilters(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.save((0..<25).map { Self.record($0, env: $0 % 2 == 0 ? "dev" : "prod", status: $0 % 5 == 0 ? 500 : 200) })
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.list(filter: RequestFilter(), page: PageRequest(limit: 10, cursor: cursor))
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.count == 25)
        #expect(seen == seen.sorted(by: >))

        let prod = try await store.list(filter: RequestFilter(env: "prod"), page: PageRequest(limit: 100))
        #expect(prod.items.count == 12)
        #expect(prod.items.allSatisfy { $0.env == "prod" })
        #expect(prod.nextCursor == nil)

        let errors = try await store.list(filter: RequestFilter(status: .family(5)), page: PageRequest(limit: 100))
        #expect(errors.items.count == 5)
        let text = try await store.list(filter: RequestFilter(text: "NUMBER 13"), page: PageRequest(limit: 100))
        #expect(text.items.map(\.text) == ["answer number 13"])
        let window = try await store.list(
            filter: RequestFilter(since: Self.t0.addingTimeInterval(5), until: Self.t0.addingTimeInterval(8)),
            page: PageRequest()
        )
        #expect(window.items.count == 3)
        try await store.close()
    }

    @Test(arguments: Kind.allCases)
    func filterExpressionsNarrowListsAndStats(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.save((0..<30).map { Self.record($0, env: $0 % 3 == 0 ? "ci" : "dev", model: $0 % 2 == 0 ? "gpt-4o" : "claude") })
        let expression = try FilterParser.parse("~e ci & !~m claude & ~out>5")
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.list(filter: RequestFilter(expression: expression), page: PageRequest(limit: 2, cursor: cursor))
            ids += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        // i % 3 == 0, i even, i > 5: 6, 12, 18, 24
        #expect(ids == [24, 18, 12, 6].map { Self.record($0).id })
        let stats = try await store.stats(filter: RequestFilter(expression: expression))
        #expect(stats.totalRequests == 4)
        try await store.close()
    }

    @Test(arguments: Kind.allCases)
    func statsAndTimeseriesAgree(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.save((0..<10).map { Self.record($0, model: $0 < 4 ? "a" : "b") })
        let stats = try await store.stats(filter: RequestFilter())
        #expect(stats.totalRequests == 10)
        #expect(stats.totalPromptTokens == 100)
        #expect(stats.totalCompletionTokens == 45)
        #expect(abs(stats.estimatedCost - 0.01) < 1e-12)
        #expect(Set(stats.modelBreakdown.compactMap(\.model)) == ["a", "b"])
        let only = try await store.stats(filter: RequestFilter(model: "a"))
        #expect(only.totalRequests == 4)
        let ts = try #require(
            try await store.timeseries(filter: RequestFilter(), bucketSeconds: 5, since: Self.t0, until: Self.t0.addingTimeInterval(10))
        )
        #expect(ts.buckets.map(\.requests) == [5, 5])
        try await store.close()
    }

    @Test(arguments: Kind.allCases)
    func clearRemovesEverything(kind: Kind) async throws {
        let store = try Self.makeStore(kind)
        try await store.save((0..<5).map { Self.record($0) })
        try await store.clear()
        #expect(try await store.count() == 0)
        #expect(try await store.list(filter: RequestFilter(), page: PageRequest()).items.isEmpty)
        try await store.close()
    }

    @Test func memoryStoreDropsTheOldest() async throws {
        let store = MemoryStore(limit: 3)
        try await store.save((0..<5).map { Self.record($0) })
        #expect(try await store.count() == 3)
        #expect(try await store.record(id: Self.record(0).id) == nil)
        #expect(try await store.record(id: Self.record(4).id) != nil)
        // An out-of-order id lands in its sorted place.
        try await store.save([Self.record(3)])
        let page = try await store.list(filter: RequestFilter(), page: PageRequest())
        #expect(page.items.map(\.id) == [4, 3, 2].map { Self.record($0).id })
    }

    @Test func sqliteKeepsRecordsAcrossReopen() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-\(UUID().uuidString).db").path
        let first = try SQLiteStore(path: path)
        try await first.save((0..<7).map { Self.record($0) })
        try await first.close()
        let second = try SQLiteStore(path: path)
        #expect(try await second.count() == 7)
        #expect(try await second.record(id: Self.record(6).id) == Self.record(6))
        try await second.close()
    }

    @Test func sqliteReportsAnUnopenableFile() {
        #expect(throws: StoreError.self) {
            _ = try SQLiteStore(path: "/proc/llmtrace-cannot-exist/x.db")
        }
    }
}
