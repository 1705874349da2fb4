import Foundation
import Testing

@testable import LLMTraceModel

@Suite struct ReportTests {
    static func sample(
        _ env: String,
        _ model: String?,
        at time: Double,
        cost: Double?,
        cached: Int? = nil,
        reasoning: Int? = nil,
        error: Bool = false
    )
        -> StatsSample
    {
        StatsSample(
            env: env,
            model: model,
            inputTokens: 100,
            outputTokens: 10,
            totalTokens: 110,
            estimatedCost: cost,
            durationMs: 5,
            isError: error,
            startedAt: Date(timeIntervalSince1970: time),
            cachedInputTokens: cached,
            reasoningTokens: reasoning
        )
    }

    /// 2026-10-31T23:59:59Z.
    static let lastSecondOfOctober = 1_793_491_199.0

    @Test func groupsByModelEnvDayAndMonthWithTotals() {
        let samples = [
            Self.sample("prod", "gpt-4o", at: Self.lastSecondOfOctober, cost: 0.5, cached: 40),
            Self.sample("prod", "gpt-4o", at: Self.lastSecondOfOctober + 1, cost: 0.25, reasoning: 4, error: true),
            Self.sample("dev", nil, at: Self.lastSecondOfOctober + 86_401, cost: nil),
            Self.sample("dev", "mystery", at: Self.lastSecondOfOctober + 86_402, cost: nil),
            Self.sample("dev", "claude", at: Self.lastSecondOfOctober + 86_403, cost: 1, cached: 10, reasoning: 6),
        ]
        func report(_ by: ReportGrouping) -> Report {
            var acc = ReportAccumulator(by: by)
            for s in samples { acc.add(s) }
            return acc.report()
        }
        let byModel = report(.model)
        #expect(byModel.rows.map(\.key) == ["claude", "gpt-4o", "mystery", "unknown"])  // by cost, then requests, then name
        #expect(
            byModel.rows[1]
                == Report.Row(
                    key: "gpt-4o",
                    requests: 2,
                    errors: 1,
                    inputTokens: 200,
                    outputTokens: 20,
                    cachedInputTokens: 40,
                    reasoningTokens: 4,
                    totalTokens: 220,
                    cost: 0.75
                )
        )
        #expect(
            byModel.totals
                == Report.Row(
                    key: "total",
                    requests: 5,
                    errors: 1,
                    inputTokens: 500,
                    outputTokens: 50,
                    cachedInputTokens: 50,
                    reasoningTokens: 10,
                    totalTokens: 550,
                    cost: 1.75
                )
        )
        #expect(byModel.unpricedModels == ["mystery"])
        #expect(report(.env).rows.map(\.key) == ["dev", "prod"])
        #expect(report(.day).rows.map(\.key) == ["2026-10-31", "2026-11-01", "2026-11-02"])
        #expect(report(.day).rows.map(\.requests) == [1, 1, 3])
        #expect(report(.month).rows.map(\.key) == ["2026-10", "2026-11"])
        #expect(report(.month).rows.map(\.requests) == [1, 4])
        #expect(ReportGrouping.choices == "model, env, day, month or session")
    }

    @Test func utcDaysAgreeWithTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        // Leap days, century years and times before 1970 included.
        let times =
            [0.0, -1, 951_782_400, 951_868_799, 4_107_542_400, -2_208_988_800]
            + (0..<2_000).map { _ in Double.random(in: -3e9...5e9, using: &generator) }
        for t in times {
            let date = Date(timeIntervalSince1970: t)
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            let expected = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
            #expect(ReportGrouping.utcDay(date) == expected, "\(t)")
        }
    }

    @Test func csvQuotesKeysAndEndsWithTheTotals() {
        var acc = ReportAccumulator(by: .env)
        acc.add(Self.sample("a,\"b\"", "m", at: 0, cost: 0.125))
        acc.add(Self.sample("=cmd", "m", at: 0, cost: nil))
        let lines = acc.report().csv().components(separatedBy: "\r\n")
        #expect(lines[0] == "key,requests,errors,inputTokens,outputTokens,cachedInputTokens,reasoningTokens,totalTokens,cost")
        #expect(lines[1] == "\"a,\"\"b\"\"\",1,0,100,10,0,0,110,0.125")
        #expect(lines[2] == "'=cmd,1,0,100,10,0,0,110,0")
        #expect(lines[3] == "total,2,0,200,20,0,0,220,0.125")
        #expect(lines[4] == "")
        #expect(Report.decimal(0.000_044_099_999_999_999_995) == "0.0000441" && Report.decimal(1_234.5) == "1234.5")
    }
}
