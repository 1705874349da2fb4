import Foundation
import LLMTraceModel
import Testing

@testable import TUI

@Suite struct StatsScreenTests {
    static func state() -> AppState {
        let base = Fixtures.base
        var items: [TraceSummary] = []
        // gpt-4o: 3 requests, one cached, durations 100/200/1000; claude: 2 with reasoning, one error.
        items.append(
            Fixtures.summary(
                1,
                env: "prod",
                model: "gpt-4o",
                durationMs: 100,
                input: 1000,
                output: 100,
                cached: 400,
                cost: 0.01,
                startedAt: base.addingTimeInterval(-120)
            )
        )
        items.append(
            Fixtures.summary(
                2,
                env: "prod",
                model: "gpt-4o",
                durationMs: 200,
                input: 1000,
                output: 100,
                cost: 0.01,
                startedAt: base.addingTimeInterval(-60)
            )
        )
        items.append(Fixtures.summary(3, env: "dev", model: "gpt-4o", durationMs: 1000, input: 1000, output: 100, cost: 0.01, startedAt: base))
        items.append(
            Fixtures.summary(
                4,
                env: "dev",
                provider: "anthropic",
                model: "claude-sonnet-4",
                durationMs: 3000,
                input: 500,
                output: 900,
                reasoning: 600,
                cost: 0.5,
                startedAt: base
            )
        )
        items.append(
            Fixtures.summary(
                5,
                env: "dev",
                provider: "anthropic",
                model: "claude-sonnet-4",
                status: 529,
                durationMs: 50,
                input: nil,
                output: nil,
                cost: nil,
                error: TraceError(type: "overloaded", message: "busy"),
                startedAt: base
            )
        )
        var state = AppState(serverLabel: "x", now: base.addingTimeInterval(30), width: 130, height: 40, timeZone: TimeZone(identifier: "UTC")!)
        state.send(.pageLoaded(Page(items: items, nextCursor: nil), replace: true))
        state.send(.key(.char("2")))
        return state
    }

    @Test func tablesShowPerModelAndPerEnvRows() {
        let state = Self.state()
        let frame = state.frame()
        let text = frame.plainText
        #expect(text.contains("By model"))
        #expect(text.contains("By environment"))
        let header = frame.rowIndex(containing: "reasoning")!
        for t in ["model", "requests", "input", "cached", "output", "reasoning", "cost", "avg", "p95", "errors"] {
            #expect(frame.row(header).contains(t))
        }
        let claude = frame.row(frame.rowIndex(containing: "claude-sonnet-4")!)
        #expect(claude.split(separator: " ") == ["claude-sonnet-4", "2", "500", "–", "900", "600", "$0.5000", "1.52s", "3.00s", "1"])
        let gpt = frame.row(frame.rowIndex(containing: "gpt-4o")!)
        #expect(gpt.split(separator: " ") == ["gpt-4o", "3", "3k", "400", "300", "–", "$0.0300", "433ms", "1.00s", "0"])
        // Cost ▼ by default: claude first.
        #expect(frame.rowIndex(containing: "claude-sonnet-4")! < frame.rowIndex(containing: "gpt-4o")!)
        let dev = frame.row(frame.rowIndex(containing: " dev ")!)
        #expect(dev.split(separator: " ").prefix(2) == ["dev", "3"])
        // The error count is red.
        let y = frame.rowIndex(containing: "claude-sonnet-4")!
        #expect(frame[frame.width - 1 - frame.row(y).reversed().firstIndex(where: { $0 != " " })!, y].style.fg == state.theme.error.fg)
    }

    @Test func sortingReordersAndMarksTheColumn() {
        var state = Self.state()
        state.press(.char("s"))  // avg ▼
        var frame = state.frame()
        #expect(frame.plainText.contains("▼ avg"))
        #expect(frame.rowIndex(containing: "claude-sonnet-4")! < frame.rowIndex(containing: "gpt-4o")!)
        state.press(.char("S"))  // avg ▲
        frame = state.frame()
        #expect(frame.plainText.contains("▲ avg"))
        #expect(frame.rowIndex(containing: "gpt-4o")! < frame.rowIndex(containing: "claude-sonnet-4")!)
    }

    @Test func serverStatsFillTheCountsAndLocalDataTheRest() {
        var state = Self.state()
        let json = #"""
            {"totalRequests":1000,"totalPromptTokens":5000000,"totalCompletionTokens":100,"totalTokens":5000100,"estimatedCost":12,
             "avgResponseTimeMs":900,"errors":7,"envBreakdown":[],"unpricedModels":["mystery"],
             "modelBreakdown":[{"model":"gpt-4o","requests":900,"promptTokens":4000000,"completionTokens":90,"totalTokens":4000090,
                                "estimatedCost":10,"avgResponseTimeMs":800,"errors":5}]}
            """#
        let stats = try! JSONCoding.makeDecoder().decode(Stats.self, from: Data(json.utf8))
        state.send(.statsLoaded(stats))
        let frame = state.frame()
        let gpt = frame.row(frame.rowIndex(containing: "gpt-4o")!)
        #expect(gpt.split(separator: " ") == ["gpt-4o", "900", "4M", "400", "90", "–", "$10.00", "800ms", "1.00s", "5"])
        #expect(frame.row(1).contains("1,000 requests"))
        #expect(frame.plainText.contains("cover all 1,000 requests on the server"))
        #expect(frame.plainText.contains("No price known for: mystery"))
    }

    @Test func sparklinesCoverTheLastHourPerMinute() {
        let state = Self.state()
        let history = MinuteHistory(state: state)
        #expect(history.requests.count == 60)
        #expect(Array(history.requests.suffix(3)) == [1, 1, 3])
        #expect(history.errors.last == 1)
        #expect(history.p95LatencyMs.last! == 3000)
        let lastTokens = history.tokens.last ?? 0
        #expect(lastTokens == 2500, "\(history.tokens.suffix(3))")
        let frame = state.frame()
        let y = (0..<frame.height).first { frame.row($0).hasPrefix("  requests ") }!
        let row = frame.row(y)
        #expect(row.contains("▃▃█"))
        #expect(row.contains("now 3"))
        #expect(row.contains("max 3"))
        // Header sparkline too.
        #expect(frame.row(1).contains("▃▃█"))
        #expect(frame.row(1).contains("3/min"))
    }

    @Test func serverTimeseriesMergesWithoutDoubleCounting() {
        var state = Self.state()
        let m = Analytics.minute(of: state.now)
        func bucket(_ minute: Int, requests: Int, errors: Int) -> String {
            #"{"t":"\#(JSONCoding.format(Date(timeIntervalSince1970: Double(minute * 60))))","requests":\#(requests),"promptTokens":10,"completionTokens":5,"estimatedCost":1,"avgResponseTimeMs":null,"errors":\#(errors)}"#
        }
        let json =
            #"{"bucketSeconds":60,"since":"\#(JSONCoding.format(Fixtures.base))","until":"\#(JSONCoding.format(state.now))","buckets":["#
            + bucket(m - 5, requests: 7, errors: 2) + "," + bucket(m, requests: 2, errors: 0) + "]}"
        let ts = try! JSONCoding.makeDecoder().decode(Timeseries.self, from: Data(json.utf8))
        state.send(.timeseriesLoaded(ts))
        let h = MinuteHistory(state: state)
        #expect(h.requests[59] == 3)  // local 3 > server 2
        #expect(h.requests[54] == 7)  // only the server knows
        #expect(h.errors[54] == 2)
    }

    @Test func historyWindowMovesWithTheClock() {
        var state = Self.state()
        state.send(.tick(state.now.addingTimeInterval(3 * 3600)))
        #expect(state.analytics.minutes.isEmpty)
        #expect(MinuteHistory(state: state).requests.allSatisfy { $0 == 0 })
        // Totals are not time-windowed.
        #expect(state.analytics.total.requests == 5)
    }

    @Test func statsScreenScrolls() {
        var state = Self.state()
        state.send(.resize(width: 130, height: 12))
        state.press(.char("j"), .char("j"))
        #expect(state.statsScroll == 2)
        let frame = state.frame()
        #expect(!frame.plainText.contains("Last 60 minutes"))
        state.press(.char("G"))
        #expect(state.frame().plainText.contains("dev"))
    }
}
