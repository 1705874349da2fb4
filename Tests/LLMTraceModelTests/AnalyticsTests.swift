import Foundation
import Testing

@testable import LLMTraceModel

@Suite struct AnalyticsTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_020)  // a minute boundary

    static func sample(
        _ env: String,
        _ model: String?,
        input: Int?,
        output: Int?,
        cost: Double?,
        ms: Double?,
        error: Bool = false,
        at: Double = 0
    ) -> StatsSample {
        StatsSample(
            env: env,
            model: model,
            inputTokens: input,
            outputTokens: output,
            totalTokens: nil,
            estimatedCost: cost,
            durationMs: ms,
            isError: error,
            startedAt: t0.addingTimeInterval(at)
        )
    }

    @Test func statsTotalsAndBreakdowns() {
        var acc = StatsAccumulator()
        acc.add(Self.sample("dev", "gpt-4o", input: 100, output: 10, cost: 0.5, ms: 100))
        acc.add(Self.sample("dev", "gpt-4o", input: 50, output: nil, cost: 0.25, ms: 300))
        acc.add(Self.sample("prod", "mystery", input: 7, output: 3, cost: nil, ms: nil, error: true))
        let s = acc.stats
        #expect(s.totalRequests == 3)
        #expect(s.totalPromptTokens == 157)
        #expect(s.totalCompletionTokens == 13)
        #expect(s.totalTokens == 170)
        #expect(s.estimatedCost == 0.75)
        #expect(s.avgResponseTimeMs == 200)
        #expect(s.p95ResponseTimeMs == 300)
        #expect(s.errors == 1)
        #expect(s.modelBreakdown.map(\.model) == ["gpt-4o", "mystery"])
        #expect(s.modelBreakdown[0].requests == 2)
        #expect(s.envBreakdown.map(\.env) == ["dev", "prod"])
        #expect(s.unpricedModels == ["mystery"])
    }

    @Test func percentilesUseNearestRank() {
        #expect(Percentile.of([], 95) == nil)
        #expect(Percentile.of([5], 95) == 5)
        #expect(Percentile.of(Array(1...100).map(Double.init), 95) == 95)
        #expect(Percentile.of(Array(1...20).map(Double.init), 50) == 10)
    }

    @Test func emptyStatsHaveNoAverage() {
        let s = StatsAccumulator().stats
        #expect(s.totalRequests == 0)
        #expect(s.avgResponseTimeMs == nil)
    }

    @Test func timeseriesFillsEmptyBucketsAndAlignsToBoundaries() throws {
        var acc = try #require(
            TimeseriesAccumulator(bucketSeconds: 60, since: Self.t0.addingTimeInterval(10), until: Self.t0.addingTimeInterval(240))
        )
        acc.add(Self.sample("dev", "m", input: 1, output: 2, cost: 0.1, ms: 10, at: 15))
        acc.add(Self.sample("dev", "m", input: 1, output: 2, cost: 0.1, ms: 30, at: 59))
        acc.add(Self.sample("dev", "m", input: 1, output: 2, cost: nil, ms: nil, error: true, at: 130))
        acc.add(Self.sample("dev", "m", input: 1, output: 2, cost: nil, ms: nil, at: 999))  // outside
        let ts = acc.timeseries
        #expect(ts.buckets.count == 4)
        #expect(ts.buckets[0].t == Date(timeIntervalSince1970: (Self.t0.timeIntervalSince1970 / 60).rounded(.down) * 60))
        #expect(ts.buckets.map(\.requests) == [2, 0, 1, 0])
        #expect(ts.buckets[0].avgResponseTimeMs == 20)
        #expect(ts.buckets[2].errors == 1)
        #expect(ts.buckets[1].avgResponseTimeMs == nil)
    }

    @Test func tooManyBucketsIsRefused() {
        #expect(TimeseriesAccumulator(bucketSeconds: 1, since: Self.t0, until: Self.t0.addingTimeInterval(86_400)) == nil)
    }

    @Test func bucketWidths() {
        #expect(Timeseries.parseBucket("30s") == 30)
        #expect(Timeseries.parseBucket("5m") == 300)
        #expect(Timeseries.parseBucket("1h") == 3600)
        #expect(Timeseries.parseBucket("1d") == 86400)
        #expect(Timeseries.parseBucket("90") == 90)
        #expect(Timeseries.parseBucket("x") == nil)
        #expect(Timeseries.parseBucket("0m") == nil)
    }

    @Test func filterMatchesEveryField() {
        var s = TraceSummary(
            id: "1",
            env: "dev",
            method: "POST",
            scheme: "https",
            host: "api.openai.com",
            path: "/v1/chat/completions",
            model: "gpt-4o",
            status: 429,
            startedAt: Self.t0
        )
        s.text = "Hello World"
        #expect(RequestFilter(env: "dev").matches(s))
        #expect(!RequestFilter(env: "prod").matches(s))
        #expect(RequestFilter(model: "gpt-4o").matches(s))
        #expect(RequestFilter(status: .family(4)).matches(s))
        #expect(RequestFilter(status: .error).matches(s))
        #expect(!RequestFilter(status: .code(200)).matches(s))
        #expect(RequestFilter(text: "hello").matches(s))
        #expect(RequestFilter(text: "CHAT/COMP").matches(s))
        #expect(!RequestFilter(text: "absent").matches(s))
        #expect(RequestFilter(since: Self.t0).matches(s))
        #expect(!RequestFilter(until: Self.t0).matches(s))
        #expect(StatusFilter("4xx") == .family(4))
        #expect(StatusFilter("200") == .code(200))
        #expect(StatusFilter("error") == .error)
        #expect(StatusFilter("abc") == nil)
        #expect(StatusFilter("9xx") == nil)
    }
}
